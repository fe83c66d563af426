using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Sandboxd.Tests.Support;

/// <summary>Scrapes a daemon's /metrics over real HTTP and parses what came back.</summary>
public static partial class MetricsScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<PrometheusText> GetAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url));
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentType?.MediaType != "text/plain")
            throw new InvalidOperationException($"/metrics answered {response.Content.Headers.ContentType}, not the text format");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The URL the daemon logged it serves metrics on ("metrics on http://…/metrics").</summary>
    public static string UrlFromLog(string log) =>
        LoggedUrl().Match(log) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no 'metrics on' line:\n" + log);

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"metrics on (http://\S+/metrics)")]
    private static partial Regex LoggedUrl();
}
