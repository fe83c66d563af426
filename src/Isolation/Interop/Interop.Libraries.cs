namespace Sandboxd.Isolation.Interop;

internal static partial class Native
{
    internal static class Libraries
    {
        /// <summary>native/: spawn, fd passing, safe tree removal.</summary>
        internal const string SbxNative = "libsbxnative";
        internal const string Libc = "libc";
    }
}
