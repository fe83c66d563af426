using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Sandboxd.Audit.Redis;

/// <summary>RESP2 over one socket: commands go out as arrays of bulk strings; replies come back as
/// string (simple), long (integer), byte[] (bulk), null (nil) or object?[] (array). Several commands
/// can be written before their replies are read (pipelining), which is how a batch becomes one round trip.</summary>
internal sealed class RespConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly BufferedStream _out;
    private readonly BufferedStream _in;

    public RespConnection(RedisEndpoint endpoint)
    {
        _socket = endpoint.Connect();
        var stream = new NetworkStream(_socket, ownsSocket: false);
        _out = new BufferedStream(stream, 64 * 1024);
        _in = new BufferedStream(stream, 64 * 1024);
    }

    public void Write(IReadOnlyList<byte[]> args)
    {
        WriteHeader('*', args.Count);
        foreach (byte[] arg in args)
        {
            WriteHeader('$', arg.Length);
            _out.Write(arg);
            _out.Write("\r\n"u8);
        }
    }

    public void Flush() => _out.Flush();

    /// <summary>One reply; an error reply becomes <see cref="RedisServerException"/>.</summary>
    public object? Read()
    {
        int type = _in.ReadByte();
        string line = ReadLine();
        switch (type)
        {
            case '+':
                return line;
            case '-':
                throw new RedisServerException(line);
            case ':':
                return long.Parse(line, CultureInfo.InvariantCulture);
            case '$':
                int length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0)
                    return null;
                byte[] bulk = new byte[length];
                _in.ReadExactly(bulk);
                _in.ReadExactly(stackalloc byte[2]);
                return bulk;
            case '*':
                int count = int.Parse(line, CultureInfo.InvariantCulture);
                if (count < 0)
                    return null;
                var items = new object?[count];
                for (int i = 0; i < count; i++)
                    items[i] = Read();
                return items;
            case -1:
                throw new IOException("redis closed the connection");
            default:
                throw new IOException($"unexpected RESP type byte 0x{type:x2}");
        }
    }

    public void Dispose()
    {
        // A connection is disposed because it broke, often with unsent bytes in _out. Disposing _out
        // flushes them; that throws again, and before this order it escaped the client's reset, which
        // kept the dead connection (a closed stream) for every later command: Redis never came back.
        _socket.Dispose();
        try
        {
            _out.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The bytes were for a connection that is gone.
        }
        _in.Dispose();
    }

    private void WriteHeader(char type, int n)
    {
        Span<byte> header = stackalloc byte[16];
        header[0] = (byte)type;
        n.TryFormat(header[1..], out int written, provider: CultureInfo.InvariantCulture);
        header[written + 1] = (byte)'\r';
        header[written + 2] = (byte)'\n';
        _out.Write(header[..(written + 3)]);
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = _in.ReadByte();
            if (b < 0)
                throw new IOException("redis closed the connection");
            if (b == '\r')
            {
                _in.ReadByte(); // '\n'
                return sb.ToString();
            }
            sb.Append((char)b);
        }
    }
}
