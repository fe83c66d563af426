namespace Sandboxd.LayerBench;

/// <summary>An fd for the launcher's control-socket slot: the measured program never reads it.</summary>
internal static class DevNull
{
    private static readonly FileStream Stream = new("/dev/null", FileMode.Open, FileAccess.ReadWrite);

    public static int Fd => (int)Stream.SafeFileHandle.DangerousGetHandle();
}
