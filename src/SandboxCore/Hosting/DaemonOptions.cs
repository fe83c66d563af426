namespace Sandboxd.Core.Hosting;

/// <summary>sandboxd's command line. Defaults are the embedded ones `make run` uses.</summary>
public sealed record DaemonOptions(string Socket, string StateDir, string RuntimeDir, string? Listen, int WarmPool)
{
    /// <summary>Egress networking: the proxy's resolver (null = the system's), table and pool.</summary>
    public NetworkDaemonOptions Network { get; init; } = new();

    /// <summary>Egress sandboxes prepared ahead (veth, firewall and proxy set up, deny-all).</summary>
    public int WarmEgress { get; init; } = 1;

    /// <summary>Bearer token for TCP callers (from --token-file).</summary>
    public string? TcpToken { get; init; }

    /// <summary>--tls-cert/--tls-key (and --tls-client-ca): TLS on the --listen listener; null: h2c.</summary>
    public TcpTls? Tls { get; init; }

    /// <summary>The shared hot tier; null keeps audit's hot tier in this daemon's memory.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>Switch the host's cgroups to favordynmods at start (fast joins after idle).</summary>
    public bool FavorDynMods { get; init; } = true;

    /// <summary>--config: principals, tenants, quotas (null = /etc/sandboxd/sandboxd.yaml when it exists, else built-in).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Log per-stage times of every create, exec and destroy (for `make bench`).</summary>
    public bool StageTimings { get; init; }

    /// <summary>`--log-format json`: one JSON object per line (with the call's correlation ids).</summary>
    public bool JsonLogs { get; init; }

    /// <summary>`--metrics ADDR:PORT`: Prometheus text on http://ADDR:PORT/metrics; null = not served.</summary>
    public ListenAddress? Metrics { get; init; }

    /// <summary>--e2b-listen: E2B's control plane and envd protocol on this ADDR:PORT (null = off).</summary>
    public string? E2bListen { get; init; }

    /// <summary>Idle stop, TTL warning, the sweeper's bound.</summary>
    public Orchestration.LifecycleOptions Lifecycle { get; init; } = new();

    public static readonly string Usage = $"""
        usage: sandboxd [--socket PATH] [--state-dir DIR] [--runtime-dir DIR] [--listen ADDR:PORT]
          --config FILE      principals, tenants, quotas (default /etc/sandboxd/sandboxd.yaml; without it
                             root on the socket is the admin of tenant "default"); SIGHUP reloads it
          --socket PATH      gRPC on this Unix socket (default /run/sandboxd/sandboxd.sock)
          --state-dir DIR    SQLite state, the default image, audit tiers (default /var/lib/sandboxd)
          --runtime-dir DIR  sandbox mount points (default /run/sandboxd)
          --listen ADDR:PORT also serve gRPC on TCP (h2c; TLS with --tls-cert); needs --token-file or principals
                     with tokens in --config
          --token-file FILE  the bearer token TCP callers must send (first line of FILE)
          --tls-cert FILE    TLS on --listen: the server certificate (PEM), with --tls-key FILE
          --tls-client-ca F  with TLS: clients must present a certificate issued by this CA (PEM)
          --insecure-listen  allow --listen off loopback without TLS (tokens then cross in clear)
          --e2b-listen ADDR:PORT  serve E2B's API (control plane + envd, HTTP/1.1) for its SDKs;
                             X-API-KEY is a principal's token (without a config, on loopback, any key);
                             HTTPS (HTTP/1.1 and h2) with --tls-cert/--tls-key(/--tls-client-ca), as --listen;
                             in clear off loopback only with --insecure-listen
          --warm-pool N      default-profile sandboxes prepared ahead (default 2; 0 = off)
          --warm-egress N    egress sandboxes prepared ahead, network set up (default 1; 0 = off)
        {NetworkDaemonOptions.Usage}
          --redis-url URL    also stream audit events to Redis (redis://host:port/ or unix:///path)
          --no-favordynmods  leave the host's cgroup mode as it is (default: remount the cgroup
                             hierarchy with favordynmods on Linux ≥ 6.1, so joins stay fast after idle)
          --stage-timings    log the time of each stage of every create, exec and destroy (bench)
          --log-format FMT   text (default) or json: one object per line with the call's correlation ids
          --metrics ADDR:PORT
                             Prometheus metrics on http://ADDR:PORT/metrics (a bare PORT is 127.0.0.1:PORT;
                             default: not served); a port already taken is logged and the daemon goes on
          --idle-timeout D   stop running sandboxes idle this long (e.g. 15m; default 0 = never; a
                             create's idle_timeout_ms wins); the next execution or file call resumes them
          --ttl-warning D    warn watchers this long before a TTL deadline (default 1m)
          --stuck-after D    end a sandbox stuck this long in creating, stopping, resuming or
                             destroying (default 10m)
          --destroy-on-exit  destroy every sandbox on SIGTERM (default: leave them running; the
                             next start re-adopts them)
        """;

    public static DaemonOptions Parse(IReadOnlyList<string> args)
    {
        string socket = "/run/sandboxd/sandboxd.sock", state = "/var/lib/sandboxd", runtime = "/run/sandboxd";
        string? listen = null, redis = null, tokenFile = null, config = null, tlsCert = null, tlsKey = null, tlsClientCa = null, e2bListen = null;
        ListenAddress? metrics = null;
        bool insecureListen = false;
        int warmEgress = 1;
        bool favorDynMods = true, stageTimings = false, jsonLogs = false;
        int warmPool = 2;
        var network = new NetworkDaemonOptions();
        var lifecycle = new Orchestration.LifecycleOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--socket": socket = Value(); break;
                case "--config": config = Path.GetFullPath(Value()); break;
                case "--state-dir": state = Value(); break;
                case "--runtime-dir": runtime = Value(); break;
                case "--listen": listen = Value(); break;
                case "--token-file": tokenFile = Value(); break;
                case "--tls-cert": tlsCert = Value(); break;
                case "--tls-key": tlsKey = Value(); break;
                case "--tls-client-ca": tlsClientCa = Value(); break;
                case "--insecure-listen": insecureListen = true; break;
                case "--e2b-listen": e2bListen = Value(); break;
                case "--warm-egress":
                    warmEgress = int.TryParse(Value(), out var e) && e is >= 0 and <= 16 ? e : throw new ArgumentException("--warm-egress takes 0 to 16");
                    break;
                case "--redis-url": redis = Value(); break;
                case "--no-favordynmods": favorDynMods = false; break;
                case "--stage-timings": stageTimings = true; break;
                case "--metrics":
                    metrics = ParseMetrics(Value());
                    break;
                case "--log-format":
                    jsonLogs = Value() switch
                    {
                        "json" => true,
                        "text" => false,
                        var f => throw new ArgumentException($"--log-format takes text or json, not '{f}'"),
                    };
                    break;
                case "--warm-pool":
                    warmPool = int.TryParse(Value(), out var n) && n is >= 0 and <= 64 ? n : throw new ArgumentException("--warm-pool takes 0 to 64");
                    break;
                case "--idle-timeout": lifecycle = lifecycle with { IdleTimeout = Sandboxd.Api.Client.DurationText.Parse(args[i], Value()) }; break;
                case "--ttl-warning": lifecycle = lifecycle with { TtlWarning = Sandboxd.Api.Client.DurationText.Parse(args[i], Value()) }; break;
                case "--stuck-after": lifecycle = lifecycle with { StuckAfter = Sandboxd.Api.Client.DurationText.Parse(args[i], Value()) }; break;
                case "--destroy-on-exit": lifecycle = lifecycle with { DestroyOnExit = true }; break;
                case var name when NetworkDaemonOptions.Accepts(name): network = network.With(name, Value()); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        string? token = tokenFile is null ? null : ReadToken(tokenFile);
        var tls = ReadTls(listen, e2bListen, tlsCert, tlsKey, tlsClientCa, insecureListen);
        // The E2B listener takes the same TLS; without it, it is cleartext HTTP/1.1 and API keys cross in clear.
        if (e2bListen is not null && tls is null && !insecureListen && !TcpTls.IsLoopback(e2bListen))
            throw new ArgumentException($"--e2b-listen {e2bListen} is not loopback: give --tls-cert and --tls-key (its API keys never cross a network in clear), or --insecure-listen");
        return new DaemonOptions(Path.GetFullPath(socket), Path.GetFullPath(state), Path.GetFullPath(runtime), listen, warmPool)
        {
            Network = network, RedisUrl = redis, TcpToken = token, Tls = tls, WarmEgress = warmEgress,
            FavorDynMods = favorDynMods, StageTimings = stageTimings, JsonLogs = jsonLogs, ConfigPath = config, Metrics = metrics,
            Lifecycle = lifecycle,
            E2bListen = e2bListen,
        };
    }

    /// <summary>The settings a start ran with, for the DaemonConfigLoaded event. Secrets stay
    /// out: the token only as whether one is set, Redis only as whether it is used.</summary>
    public Dictionary<string, string> ToAuditAttributes() => new()
    {
        ["socket"] = Socket,
        ["config"] = ConfigPath ?? "",
        ["state_dir"] = StateDir,
        ["runtime_dir"] = RuntimeDir,
        ["listen"] = Listen ?? "",
        ["e2b_listen"] = E2bListen ?? "",
        ["tcp_token"] = TcpToken is null ? "unset" : "set",
        ["tcp_tls"] = Tls is null ? "off" : Tls.ClientCa is null ? "on" : "mutual",
        ["warm_pool"] = WarmPool.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["warm_egress"] = WarmEgress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["egress_table"] = Network.Table,
        ["egress_pool"] = Network.Pool,
        ["dns_map"] = Network.DnsMap is null ? "system" : "static",
        ["redis"] = RedisUrl is null ? "off" : "on",
        ["favordynmods"] = FavorDynMods ? "apply" : "keep host mode",
        ["log_format"] = JsonLogs ? "json" : "text",
        ["metrics"] = Metrics?.ToString() ?? "off",
        ["idle_timeout_ms"] = ((long)Lifecycle.IdleTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ttl_warning_ms"] = ((long)Lifecycle.TtlWarning.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["stuck_after_ms"] = ((long)Lifecycle.StuckAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["on_exit"] = Lifecycle.DestroyOnExit ? "destroy" : "keep running",
    };

    private static ListenAddress ParseMetrics(string value)
    {
        try
        {
            return ListenAddress.Parse(value);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"--metrics: {e.Message}");
        }
    }

    private static string ReadToken(string path)
    {
        string token;
        try
        {
            token = File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (IOException e)
        {
            throw new ArgumentException($"--token-file {path}: {e.Message}");
        }
        return token.Length >= 16 ? token : throw new ArgumentException($"--token-file {path}: the token must be at least 16 characters");
    }

    /// <summary>A token never crosses a network in clear: a --listen off loopback needs TLS
    /// (or the explicit --insecure-listen, for a network the operator trusts).</summary>
    private static TcpTls? ReadTls(string? listen, string? e2bListen, string? cert, string? key, string? clientCa, bool insecure)
    {
        if ((cert is null) != (key is null))
            throw new ArgumentException("--tls-cert and --tls-key go together");
        if (clientCa is not null && cert is null)
            throw new ArgumentException("--tls-client-ca needs --tls-cert and --tls-key");
        if (cert is not null && listen is null && e2bListen is null)
            throw new ArgumentException("--tls-cert needs --listen or --e2b-listen: TLS is for the TCP listeners");
        if (listen is not null && cert is null && !insecure && !TcpTls.IsLoopback(listen))
            throw new ArgumentException($"--listen {listen} is not loopback: give --tls-cert and --tls-key (bearer tokens never cross a network in clear), or --insecure-listen");
        return cert is null ? null : TcpTls.Load(cert, key!, clientCa);
    }
}
