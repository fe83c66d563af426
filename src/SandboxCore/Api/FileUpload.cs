using Microsoft.Win32.SafeHandles;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Api;

/// <summary>A file written into a sandbox chunk by chunk, held to the sandbox's disk budget:
/// Files.WriteFile and the E2B listener's POST /files. Over the budget, or ENOSPC on the
/// sandbox's disk, is RESOURCE_EXHAUSTED naming the path and the budget.</summary>
public sealed class FileUpload(SafeFileHandle file, string path, long budget)
{
    public long Written { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        Written += data.Length;
        if (budget > 0 && Written > budget)
            throw new QuotaExceededException($"{path}: more than the sandbox's disk budget of {budget} bytes");
        try
        {
            SandboxFiles.Write(file, path, data);
        }
        catch (SandboxFileException e) when (e.ErrorNumber is 28 or 122)
        {
            throw new QuotaExceededException(
                $"{path}: no space left on the sandbox's disk after {Written - data.Length} bytes (ENOSPC; disk budget {budget} bytes)");
        }
    }
}
