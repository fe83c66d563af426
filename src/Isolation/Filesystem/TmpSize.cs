namespace Sandboxd.Isolation.Filesystem;

/// <summary>How big a sandbox's /tmp is: as big as its disk, but never bigger than its memory
/// limit. /tmp is a tmpfs whose pages are charged to the sandbox's memory cgroup, so a /tmp
/// larger than the memory limit would only turn ENOSPC into an OOM kill; one as large as the
/// disk lets whatever fits on the disk be unpacked into /tmp too (a user who asks for 4 GiB of
/// disk expects 4 GiB of room, wherever the program writes). Each is its own tmpfs: filling
/// /tmp does not take from the writable layer's size, only from the shared memory limit.</summary>
public static class TmpSize
{
    public static long For(long diskBytes, long? memoryBytes) =>
        memoryBytes is { } memory ? Math.Min(diskBytes, memory) : diskBytes;
}
