using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Executions;

/// <summary>`sandboxctl exec -it ID -- bash` in a real terminal (tmux), driven as a person would:
/// keys typed with send-keys, the screen read with capture-pane. What is typed reaches the
/// remote pty key by key; the command sees a terminal of the pane's size and follows its
/// resizes; ^C and ^Z act on the remote command, not on sandboxctl; the remote exit code is
/// sandboxctl's; the local terminal's mode is as it was afterwards, even when the daemon dies
/// under the session. Outputs are made with arithmetic ($((…))) so that the echo of a typed
/// command never passes for its result.</summary>
public sealed class TerminalTmuxTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sbx-tmux-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Ctl(DaemonProcess daemon) =>
        $"{Path.Combine(AppContext.BaseDirectory, "sandboxctl")} --socket {daemon.Socket}";

    /// <summary>Starts `exec -it ID -- bash` from the pane's host shell, which records its stty
    /// settings before and after and prints sandboxctl's exit code.</summary>
    private void StartSession(Tmux tmux, DaemonProcess daemon, string id)
    {
        tmux.TypeLine($"stty -g > {_dir}/before; {Ctl(daemon)} exec -it {id} -- bash; echo \"rc=[$?]\"; stty -g > {_dir}/after");
        tmux.TypeLine("echo R$((40+2))DY");
        tmux.WaitForLine("R42DY");
    }

    private void AssertHostTerminalRestored(Tmux tmux)
    {
        tmux.WaitFor(_ => File.Exists($"{_dir}/after") && File.ReadAllText($"{_dir}/after").EndsWith('\n'), "the host shell back");
        Assert.Equal(File.ReadAllText($"{_dir}/before"), File.ReadAllText($"{_dir}/after"));
        // Echo on, line editing on: typed text shows once and a command runs at Enter.
        tmux.TypeLine("stty -a | tr ' ' '\\n' | grep -xE 'echo|icanon|isig|opost' | sort | tr '\\n' ' '; echo E$((1))ND");
        tmux.WaitForLine("echo icanon isig opost E1ND");
    }

    [RootFact]
    public async Task Exec_it_bash_behaves_like_a_local_terminal()
    {
        var daemon = fixture.Daemon;
        var id = (await daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            using var tmux = new Tmux(cols: 100, rows: 30);
            tmux.TypeLine("echo \"HOST=[$TERM]\"");
            var hostTerm = tmux.WaitFor(s => s.Contains("HOST=[", StringComparison.Ordinal) && s.Contains("]\n", StringComparison.Ordinal), "TERM")
                .Split('\n').Single(l => l.StartsWith("HOST=[", StringComparison.Ordinal)).TrimEnd()[6..^1];
            Assert.NotEmpty(hostTerm);
            StartSession(tmux, daemon, id);

            // A terminal inside, with the pane's TERM.
            tmux.TypeLine("tty; [ -t 0 ] && [ -t 1 ] && echo IS$((1))TTY; echo \"T=[$TERM]\"");
            var screen = tmux.WaitForLine("IS1TTY");
            Assert.Contains("\n/dev/pts/", screen, StringComparison.Ordinal);
            tmux.WaitForLine($"T=[{hostTerm}]");

            // Keys go one by one (raw mode here), and are echoed once, by the remote pty.
            tmux.TypeLine("read -r -n 1 k; echo; echo \"got=[$k]\"");
            tmux.Type("z");
            tmux.WaitForLine("got=[z]");
            tmux.TypeLine("echo once$((6*7))");
            screen = tmux.WaitForLine("once42");
            Assert.Single(screen.Split('\n'), l => l.Contains("echo once$((6*7))", StringComparison.Ordinal));

            // The window size, then a resize of the pane reaching the command (SIGWINCH forwarded).
            tmux.TypeLine("echo \"S=[$(stty size)]\"");
            tmux.WaitForLine("S=[30 100]");
            tmux.Resize(cols: 120, rows: 40);
            tmux.TypeLine("echo \"S2=[$(stty size)]\"");
            tmux.WaitForLine("S2=[40 120]");

            // ^C interrupts the command; bash and sandboxctl stay.
            tmux.TypeLine("echo SL$((1))EEP; sleep 100");
            tmux.WaitForLine("SL1EEP");
            tmux.Keys("C-c");
            tmux.TypeLine("echo \"st=[$?]\"");
            tmux.WaitForLine("st=[130]");

            // Job control: a background job, then ^Z, jobs and fg.
            tmux.TypeLine("sleep 101 & jobs; echo J$((1))");
            screen = tmux.WaitForLine("J1");
            Assert.Contains("Running", screen, StringComparison.Ordinal);
            tmux.TypeLine("echo Z$((1)); sleep 102");
            tmux.WaitForLine("Z1");
            tmux.Keys("C-z");
            tmux.WaitFor(s => s.Contains("Stopped", StringComparison.Ordinal) && s.Contains("sleep 102", StringComparison.Ordinal), "the stopped job");
            tmux.TypeLine("jobs; echo J$((2))");
            screen = tmux.WaitForLine("J2");
            Assert.Matches(@"\[2\]\+\s+Stopped\s+sleep 102", screen);
            tmux.TypeLine("fg %2");
            tmux.Keys("C-c");
            tmux.TypeLine("echo \"fg=[$?]\"; kill %1; wait; echo W$((1))");
            tmux.WaitForLine("fg=[130]");
            tmux.WaitForLine("W1");

            // The remote exit code is sandboxctl's; the terminal is as it was.
            tmux.TypeLine("exit 3");
            tmux.WaitForLine("rc=[3]");
            AssertHostTerminalRestored(tmux);
            Assert.DoesNotContain("sleep 10", (await daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"])).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await daemon.Client.DestroyAsync(id);
        }
    }

    /// <summary>The daemon killed (SIGKILL, by pid) under a session: sandboxctl says so, exits
    /// non-zero, and the terminal is back in the mode it had.</summary>
    [RootFact]
    public async Task The_local_terminal_is_restored_when_the_daemon_dies_under_the_session()
    {
        using var root = new TempRoot();
        using (var daemon = new DaemonProcess(root, ownsRoot: false))
        {
            var id = (await daemon.Client.CreateAsync(new CreateRequest())).Id;
            using var tmux = new Tmux();
            StartSession(tmux, daemon, id);
            daemon.Crash();
            tmux.WaitFor(s => s.Contains("rc=[", StringComparison.Ordinal), "sandboxctl's exit");
            var screen = tmux.Screen();
            Assert.Matches(@"rc=\[[1-9][0-9]*\]", screen);
            Assert.Contains("sandboxctl:", screen, StringComparison.Ordinal);
            AssertHostTerminalRestored(tmux);
        }
        // A daemon on the same root sweeps what the killed one left (its sandbox's cgroup).
        using var sweeper = new DaemonProcess(root, ownsRoot: false);
    }
}
