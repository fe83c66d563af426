using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Sandboxd.Core.Api.Binding;

/// <summary>Finds the string field whose bytes are not UTF-8, for the message that names it:
/// protobuf's parser refuses such a message but says only "String is invalid UTF-8".</summary>
internal static class Utf8FieldLocator
{
    /// <returns>"argv[1]", "env[NAME]", "network.policy.allow_domains[0]"; null when no string
    /// field is at fault (the parse failed for another reason).</returns>
    public static string? Locate(ReadOnlySpan<byte> message, MessageDescriptor descriptor, string prefix = "")
    {
        try
        {
            return Scan(new CodedInputStream(message.ToArray()), descriptor, prefix);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // broken framing: the parser's own message says enough
        }
    }

    private static string? Scan(CodedInputStream input, MessageDescriptor descriptor, string prefix)
    {
        var seen = new Dictionary<int, int>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int number = WireFormat.GetTagFieldNumber(tag);
            FieldDescriptor? field = descriptor.FindFieldByNumber(number);
            if (field is null || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }
            ByteString bytes = input.ReadBytes();
            int index = seen.GetValueOrDefault(number);
            seen[number] = index + 1;
            string name = prefix + field.Name;
            string? fault = field switch
            {
                { IsMap: true } => MapEntry(bytes, name),
                { FieldType: FieldType.String } when !System.Text.Unicode.Utf8.IsValid(bytes.Span) =>
                    field.IsRepeated ? $"{name}[{index}]" : name,
                { FieldType: FieldType.Message } => Locate(bytes.Span, field.MessageType,
                    (field.IsRepeated ? $"{name}[{index}]" : name) + "."),
                _ => null,
            };
            if (fault is not null)
                return fault;
        }
        return null;
    }

    /// <summary>A map entry is a message of key = 1 and value = 2.</summary>
    private static string? MapEntry(ByteString entry, string name)
    {
        var input = new CodedInputStream(entry.ToByteArray());
        string key = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }
            ByteString bytes = input.ReadBytes();
            bool valid = System.Text.Unicode.Utf8.IsValid(bytes.Span);
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                if (!valid)
                    return name + " (a key)";
                key = bytes.ToStringUtf8();
            }
            else if (!valid)
            {
                return $"{name}[{key}]";
            }
        }
        return null;
    }
}
