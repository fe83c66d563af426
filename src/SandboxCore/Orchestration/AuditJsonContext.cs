using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json.Serialization;

namespace Sandboxd.Core.Orchestration;

/// <summary>Source-generated JSON for audit attributes: no reflection on the exec path.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
    /// <summary>Argument lists as people wrote them: the default encoder's HTML escaping turned
    /// `sh -c 'a >> b && c'` into \u003E and \u0026 in every record and `audit query` row. The
    /// text never lands in HTML; quotes, backslashes and control characters are still escaped.</summary>
    public static readonly JsonTypeInfo<IReadOnlyList<string>> Argv = (JsonTypeInfo<IReadOnlyList<string>>)new AuditJsonContext(
        new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).GetTypeInfo(typeof(IReadOnlyList<string>))!;
}
