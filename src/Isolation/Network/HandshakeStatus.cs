namespace Sandboxd.Isolation.Network;

/// <summary>Where reading a TLS handshake message from the client's records stands.</summary>
internal enum HandshakeStatus
{
    /// <summary>The bytes so far are a prefix of a valid message; read more.</summary>
    NeedMore,

    /// <summary>One whole message, ending exactly where a record ends.</summary>
    Complete,

    /// <summary>A record of another type came before the message was whole.</summary>
    Interrupted,

    /// <summary>A zero-length record, or a second message in the hello's last record.</summary>
    Malformed,

    /// <summary>More than <see cref="ClientHelloReader.MaxBytes"/> before the message was whole.</summary>
    TooLarge,

    /// <summary>More than <see cref="TlsRecords.MaxRecords"/> records before the message was whole.</summary>
    TooManyRecords,

    /// <summary>The client took longer than the deadline to finish the message.</summary>
    TimedOut,

    /// <summary>The client closed its side in the middle of the message.</summary>
    Closed,
}
