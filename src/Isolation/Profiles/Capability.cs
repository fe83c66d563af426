namespace Sandboxd.Isolation.Profiles;

/// <summary>Linux capability numbers (linux/capability.h) of the ones a profile may give root inside.</summary>
public enum Capability
{
    Chown = 0,
    DacOverride = 1,
    Fowner = 3,
    Fsetid = 4,
    Kill = 5,
    Setgid = 6,
    Setuid = 7,
    Setpcap = 8,
    NetBindService = 10,
    SysChroot = 18,
    AuditWrite = 29,
    Setfcap = 31,
}
