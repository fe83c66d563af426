using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>The only DNS a transparent-mode sandbox has (the firewall redirects its UDP port 53
/// here): programs that ignore the proxy variables resolve names themselves before they connect.
/// It answers from the sandbox's live policy and the proxy's own resolver — a denied name is
/// NXDOMAIN, nothing is forwarded to another server — and each answer is a "dns" decision event.
/// The answer is only a convenience: the redirected connection is judged again by its SNI or Host
/// and the proxy connects to the address it resolves itself.</summary>
internal sealed class DnsStub : IAsyncDisposable
{
    /// <summary>Lookups being answered at once; past it queries are dropped (the client retries).</summary>
    private const int MaxInFlight = 64;
    private const int MaxAnswers = 16;

    private readonly SandboxProxy _proxy;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _inFlight;

    public DnsStub(SandboxProxy proxy, IPEndPoint endpoint)
    {
        _proxy = proxy;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.Bind(endpoint);
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new NetworkSetupException("dns stub: bind", $"{endpoint}: {e.SocketErrorCode}");
        }
        _loop = ReceiveLoopAsync();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[512];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP unreachable from an earlier reply: this socket still works
            }
            if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                continue;
            }
            _ = AnswerAsync(buffer.AsSpan(0, received.ReceivedBytes).ToArray(), received.RemoteEndPoint);
        }
    }

    private async Task AnswerAsync(byte[] query, EndPoint client)
    {
        try
        {
            if (DnsMessage.Read(query) is not { } question)
                return;
            var (rcode, addresses) = await DecideAsync(question);
            await _socket.SendToAsync(DnsMessage.Answer(query, question, rcode, addresses), SocketFlags.None, client, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Shutting down, or the client is gone: a lost answer is a retry for the client.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<(int Rcode, IReadOnlyList<IPAddress> Addresses)> DecideAsync(DnsMessage.Question question)
    {
        if (question.Name is not { } name)
            return (DnsMessage.FormatError, []);
        if (question.Opcode != 0)
            return (DnsMessage.NotImplemented, []);
        var start = _proxy.Options.Time.GetTimestamp();
        var matcher = _proxy.Matcher;
        var verdict = question.Class == DnsMessage.ClassIn ? matcher.CheckName(name) : PolicyVerdict.Deny("dns-class-not-in");
        if (!verdict.Allowed)
        {
            _proxy.Record("dns", name, null, 53, null, verdict, 0, 0, start);
            return (verdict.Rule == "invalid-host" ? DnsMessage.Refused : DnsMessage.NameError, []);
        }
        if (question.Type != DnsMessage.TypeA)
            return (DnsMessage.NoError, []); // no AAAA (IPv6 is off inside) nor other records: NODATA
        var resolved = await _proxy.Options.Resolver.ResolveAsync(name, _stop.Token);
        var usable = new List<IPAddress>();
        PolicyVerdict? refused = null;
        foreach (var address in resolved.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Take(MaxAnswers))
        {
            var check = matcher.CheckAddress(address, isLiteral: false);
            if (check.Allowed)
                usable.Add(address);
            else
                refused ??= check;
        }
        var outcome = usable.Count > 0 ? verdict : refused ?? PolicyVerdict.Deny("unresolvable");
        _proxy.Record("dns", name, usable.FirstOrDefault(), 53, null, outcome, 0, 0, start);
        return (usable.Count > 0 ? DnsMessage.NoError : DnsMessage.NameError, usable);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
