namespace Sandboxd.Core.Orchestration;

/// <summary>A request field is wrong; the message starts with the field's name.</summary>
public sealed class InvalidFieldException : Exception
{
    public InvalidFieldException(string field, string problem) : base($"{field}: {problem}") => Field = field;

    public InvalidFieldException() => Field = "";

    public InvalidFieldException(string message, Exception inner) : base(message, inner) => Field = "";

    public string Field { get; }
}
