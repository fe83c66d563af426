namespace Sandboxd.Audit.Redis;

/// <summary>An error reply (-ERR ...) from the server: the command was understood and refused.</summary>
public sealed class RedisServerException(string message) : InvalidOperationException(message)
{
    public RedisServerException()
        : this("redis error")
    {
    }

    public RedisServerException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
