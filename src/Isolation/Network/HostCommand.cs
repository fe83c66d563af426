using System.Diagnostics;

namespace Sandboxd.Isolation.Network;

/// <summary>Runs ip / nft / nsenter as child processes. They are the reference tools for netlink
/// and nftables; a failure becomes a <see cref="NetworkSetupException"/> naming the step.</summary>
internal static class HostCommand
{
    public static async Task RunAsync(string step, string file, IEnumerable<string> args, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new NetworkSetupException(step, $"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new NetworkSetupException(step, $"{file}: {e.Message}");
        }
        using (process)
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                var message = (await stderr).Trim();
                if (message.Length == 0)
                    message = (await stdout).Trim();
                throw new NetworkSetupException(step, $"exit {process.ExitCode}: {message}");
            }
        }
    }
}
