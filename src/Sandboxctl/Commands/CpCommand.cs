using System.CommandLine;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>sandboxctl cp SRC ID:DST | cp ID:SRC DST: files and directories, streamed in
/// 256 KiB chunks both ways. A DST ending in "/" gets SRC's name inside it. Symlinks inside
/// the sandbox are not copied out (a link written here could send the next file elsewhere).</summary>
internal static class CpCommand
{
    private const int Chunk = 256 * 1024;

    public static Command Build()
    {
        var source = new Argument<string>("source") { Description = "a local path, or ID:PATH inside a sandbox" };
        var destination = new Argument<string>("destination") { Description = "ID:PATH inside a sandbox, or a local path" };
        var user = FsCommand.User();
        var command = new Command("cp", "copy files or directories into or out of a sandbox") { source, destination, user };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var src = result.GetValue(source)!;
            var dst = result.GetValue(destination)!;
            var files = FsCommand.FilesOf(result, out var client);
            using (client)
            {
                var options = FsCommand.Options(client, cancel);
                var asUser = result.GetValue(user)!;
                if (Remote(dst) is { } to && Remote(src) is null)
                {
                    var target = to.Path.EndsWith('/') ? to.Path + Path.GetFileName(Path.TrimEndingDirectorySeparator(src)) : to.Path;
                    await UploadAsync(files, options, to.Id, asUser, src, target);
                    return 0;
                }
                if (Remote(src) is { } from && Remote(dst) is null)
                {
                    var target = dst.EndsWith('/') || Directory.Exists(dst) ? Path.Combine(dst, Path.GetFileName(from.Path.TrimEnd('/'))) : dst;
                    await DownloadAsync(files, options, from.Id, asUser, from.Path, target);
                    return 0;
                }
                throw new ArgumentException("exactly one of source and destination must be ID:PATH");
            }
        }));
        return command;
    }

    private static (string Id, string Path)? Remote(string arg)
    {
        int colon = arg.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || arg[..colon].Contains('/', StringComparison.Ordinal))
            return null;
        return (arg[..colon], arg[(colon + 1)..]);
    }

    private static async Task UploadAsync(Files.FilesClient files, CallOptions options, string id, string user, string local, string remote)
    {
        if (Directory.Exists(local))
        {
            await files.MakeDirAsync(new MakeDirRequest { SandboxId = id, Path = remote, Parents = true, User = user }, options);
            foreach (var entry in new DirectoryInfo(local).EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                    continue;
                await UploadAsync(files, options, id, user, entry.FullName, remote.TrimEnd('/') + "/" + entry.Name);
            }
            return;
        }
        await using var input = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        using var call = files.WriteFile(options);
        uint mode = OperatingSystem.IsWindows() ? 0 : (uint)File.GetUnixFileMode(local) & 0x1FF;
        await call.RequestStream.WriteAsync(new WriteFileRequest { Header = new WriteFileHeader { SandboxId = id, Path = remote, User = user, Mode = mode } });
        var buffer = new byte[Chunk];
        int n;
        try
        {
            while ((n = await input.ReadAsync(buffer)) > 0)
                await call.RequestStream.WriteAsync(new WriteFileRequest { Data = ByteString.CopyFrom(buffer, 0, n) });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The daemon ended the call mid-stream (the disk budget, say): its reason is the response's status.
        }
        await call;
    }

    private static async Task DownloadAsync(Files.FilesClient files, CallOptions options, string id, string user, string remote, string local)
    {
        var stat = await files.StatAsync(new StatRequest { SandboxId = id, Path = remote, User = user }, options);
        if (stat.Type == FileType.Directory)
        {
            Directory.CreateDirectory(local);
            var list = await files.ListDirAsync(new ListDirRequest { SandboxId = id, Path = remote, Depth = 64, User = user }, options);
            foreach (var e in list.Entries)
            {
                var path = Path.Combine(local, e.Path);
                if (e.Type == FileType.Directory)
                    Directory.CreateDirectory(path);
                else if (e.Type == FileType.Regular)
                    await ReadToAsync(files, options, id, user, remote.TrimEnd('/') + "/" + e.Path, path);
                else
                    await Console.Error.WriteLineAsync($"sandboxctl: {remote.TrimEnd('/')}/{e.Path}: not a regular file or directory, skipped");
            }
            return;
        }
        await ReadToAsync(files, options, id, user, remote, local);
    }

    private static async Task ReadToAsync(Files.FilesClient files, CallOptions options, string id, string user, string remote, string local)
    {
        using var call = files.ReadFile(new ReadFileRequest { SandboxId = id, Path = remote, User = user }, options);
        await using var output = new FileStream(local, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            await output.WriteAsync(chunk.Data.Memory);
    }
}
