using System.Diagnostics;

namespace Sandboxd.Tests.Support;

/// <summary>A real terminal for tests: a tmux server of the test's own (-L, a socket of its own)
/// running a plain host bash in one pane. Keys go in with send-keys as a person types them; the
/// screen comes back with capture-pane. Killed (its own server only) on dispose.</summary>
public sealed class Tmux : IDisposable
{
    private readonly string _server = "sbxtest-" + Guid.NewGuid().ToString("N")[..12];

    public Tmux(int cols = 100, int rows = 30)
    {
        // A known prompt and no rc files: what the screen shows is what the test typed and ran.
        Run("new-session", "-d", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "env", "PS1=host$ ", "HISTFILE=/dev/null", "bash", "--norc", "--noprofile");
        WaitFor(s => s.Contains("host$", StringComparison.Ordinal), "the host shell's prompt");
    }

    /// <summary>Types the text as is (no key names), then Enter.</summary>
    public void TypeLine(string text)
    {
        Type(text);
        Keys("Enter");
    }

    /// <summary>Types the text as is, without Enter.</summary>
    public void Type(string text) => Run("send-keys", "-t", "0", "-l", text);

    /// <summary>Keys by tmux's names: Enter, C-c, C-z.</summary>
    public void Keys(params string[] keys) => Run(["send-keys", "-t", "0", .. keys]);

    /// <summary>The pane's screen and its history, as shown (a long line wraps).</summary>
    public string Screen() => Run("capture-pane", "-p", "-S", "-2000", "-t", "0");

    public void Resize(int cols, int rows) =>
        Run("resize-window", "-t", "0", "-x", cols.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Waits (up to a minute: a bound against hangs, not a timing) until the screen
    /// satisfies the condition; fails with the screen otherwise.</summary>
    public string WaitFor(Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var screen = Screen();
            if (condition(screen))
                return screen;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"the terminal never showed {what}; screen:\n{screen}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for a line of the screen equal to <paramref name="line"/>.</summary>
    public string WaitForLine(string line) =>
        WaitFor(s => s.Split('\n').Any(l => l.TrimEnd() == line), $"a line '{line}'");

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private string Run(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_server);
        // No user config: the same terminal everywhere.
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("/dev/null");
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"tmux {string.Join(' ', args)}: exit {process.ExitCode}: {stderr}");
        return stdout.GetAwaiter().GetResult();
    }
}
