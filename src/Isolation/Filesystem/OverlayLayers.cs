using Microsoft.Win32.SafeHandles;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>A sandbox root's two layers. Upper is an O_PATH fd on the writable layer, which
/// exists only in the sandbox's mount namespace; ImageDir is the read-only lower dir on the host.</summary>
public sealed record OverlayLayers(SafeFileHandle Upper, string ImageDir);
