using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.E2b;

/// <summary>The wire below the SDK, as other E2B clients (older SDKs, other languages) see it:
/// REST's {"code": N} errors and /sandboxes forms, Connect's JSON (unknown fields ignored, enums
/// by name, bytes as base64), its envelopes and end frame, and Connect-Timeout-Ms.</summary>
public sealed class E2bProtocolTests(E2bDaemon fixture) : IClassFixture<E2bDaemon>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Port}") };

    public void Dispose() => _http.Dispose();

    [RootFact]
    public async Task Rest_and_connect_speak_e2bs_wire_forms()
    {
        var anonymous = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v2/sandboxes"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(401, (await Json(anonymous)).GetProperty("code").GetInt32());

        // The older SDKs' form, with fields this daemon does not know.
        var created = await Rest(HttpMethod.Post, "/sandboxes", """{"templateID":"base","timeout":60,"metadata":{"k":"v"},"mcp":null,"secure":true}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sandbox = await Json(created);
        string id = sandbox.GetProperty("sandboxID").GetString()!, token = sandbox.GetProperty("envdAccessToken").GetString()!;
        Assert.Equal("base", sandbox.GetProperty("templateID").GetString());
        Assert.True(Version.Parse(sandbox.GetProperty("envdVersion").GetString()!) >= new Version(0, 5, 7));
        try
        {
            var info = await Json(await Rest(HttpMethod.Get, "/sandboxes/" + id));
            Assert.Equal("v", info.GetProperty("metadata").GetProperty("k").GetString());
            Assert.Equal("running", info.GetProperty("state").GetString());

            // Unknown fields are ignored; enums are names; a missing file is not_found with its path.
            var stat = await Unary(id, token, "/filesystem.Filesystem/Stat", """{"path":"/etc","notAField":1}""");
            Assert.Equal(HttpStatusCode.OK, stat.StatusCode);
            Assert.Equal("FILE_TYPE_DIRECTORY", (await Json(stat)).GetProperty("entry").GetProperty("type").GetString());
            var missing = await Unary(id, token, "/filesystem.Filesystem/Stat", """{"path":"/no/such"}""");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var notFound = await Json(missing);
            Assert.Equal("not_found", notFound.GetProperty("code").GetString());
            Assert.Contains("/no/such", notFound.GetProperty("message").GetString());
            var unknown = await Unary(id, token, "/process.Process/Nope", "{}");
            Assert.Equal("unimplemented", (await Json(unknown)).GetProperty("code").GetString());

            // A stream: start{pid}, data with base64 bytes, end{...}, then the end frame {}.
            var frames = await Stream(id, token, "/process.Process/Start", """{"process":{"cmd":"/bin/echo","args":["hi"]}}""");
            Assert.True(frames[0].Json.GetProperty("event").GetProperty("start").GetProperty("pid").GetInt32() > 0);
            Assert.Contains(frames, f => f.Flags == 0 && f.Json.GetProperty("event").TryGetProperty("data", out var d)
                && d.GetProperty("stdout").GetString() == Convert.ToBase64String("hi\n"u8.ToArray()));
            var end = frames[^2].Json.GetProperty("event").GetProperty("end");
            Assert.True(end.GetProperty("exited").GetBoolean());
            Assert.Equal("exit status 0", end.GetProperty("status").GetString());
            Assert.Equal((byte)2, frames[^1].Flags);
            Assert.Equal("{}", frames[^1].Json.GetRawText());

            // Connect-Timeout-Ms ends the stream with deadline_exceeded; the process goes on.
            var timed = await Stream(id, token, "/process.Process/Start", """{"process":{"cmd":"/bin/sleep","args":["30"]},"tag":"sleeper"}""", timeoutMs: 500);
            Assert.Equal((byte)2, timed[^1].Flags);
            Assert.Equal("deadline_exceeded", timed[^1].Json.GetProperty("error").GetProperty("code").GetString());
            var list = await Json(await Unary(id, token, "/process.Process/List", "{}"));
            Assert.Contains(list.GetProperty("processes").EnumerateArray(), p => p.TryGetProperty("tag", out var t) && t.GetString() == "sleeper");
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await Rest(HttpMethod.Delete, "/sandboxes/" + id)).StatusCode);
        }
        var again = await Rest(HttpMethod.Delete, "/sandboxes/" + id);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(404, (await Json(again)).GetProperty("code").GetInt32());
    }

    private Task<HttpResponseMessage> Rest(HttpMethod method, string path, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-KEY", "any");
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> Unary(string id, string token, string path, string body) =>
        _http.SendAsync(Envd(id, token, path, new StringContent(body, Encoding.UTF8, "application/json")));

    private static HttpRequestMessage Envd(string id, string token, string path, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("E2b-Sandbox-Id", id);
        request.Headers.Add("X-Access-Token", token);
        request.Headers.Add("Connect-Protocol-Version", "1");
        return request;
    }

    private sealed record Frame(byte Flags, JsonElement Json);

    private async Task<List<Frame>> Stream(string id, string token, string path, string body, int? timeoutMs = null)
    {
        var payload = Encoding.UTF8.GetBytes(body);
        var envelope = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), payload.Length);
        payload.CopyTo(envelope, 5);
        var content = new ByteArrayContent(envelope);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        var request = Envd(id, token, path, content);
        if (timeoutMs is { } ms)
            request.Headers.Add("Connect-Timeout-Ms", ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/connect+json", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var frames = new List<Frame>();
        for (int at = 0; at < bytes.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at + 1));
            frames.Add(new Frame(bytes[at], JsonDocument.Parse(bytes.AsMemory(at + 5, length)).RootElement.Clone()));
            at += 5 + length;
        }
        return frames;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
