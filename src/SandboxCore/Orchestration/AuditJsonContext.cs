using System.Text.Json.Serialization;

namespace Sandboxd.Core.Orchestration;

/// <summary>Source-generated JSON for audit attributes: no reflection on the exec path.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
