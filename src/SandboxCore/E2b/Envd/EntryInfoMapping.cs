using Google.Protobuf.WellKnownTypes;
using Sandboxd.E2b.Envd.Filesystem;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>A sandbox file as envd describes it.</summary>
public static class EntryInfoMapping
{
    public static EntryInfo ToEntry(SandboxFileInfo f, string absolutePath)
    {
        var entry = new EntryInfo
        {
            Name = Name(absolutePath),
            Path = absolutePath,
            Type = f.Type switch
            {
                SandboxFileType.Regular => FileType.File,
                SandboxFileType.Directory => FileType.Directory,
                SandboxFileType.Symlink => FileType.Symlink,
                _ => FileType.Unspecified,
            },
            Size = (long)f.Size,
            Mode = f.Mode & 0xFFF,
            Permissions = Permissions(f.Type, f.Mode),
            Owner = UserName(f.Uid),
            Group = UserName(f.Gid),
            ModifiedTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddTicks(f.MtimeNs / 100)),
        };
        // Absolute, as envd resolves it: a relative target is taken from the link's directory.
        if (f.Type == SandboxFileType.Symlink && f.LinkTarget is { Length: > 0 } target)
            entry.SymlinkTarget = target.StartsWith('/') ? target : Join(absolutePath[..Math.Max(1, absolutePath.TrimEnd('/').LastIndexOf('/'))], target);
        return entry;
    }

    public static string Name(string path)
    {
        var trimmed = path.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        return slash < 0 ? trimmed : trimmed[(slash + 1)..];
    }

    /// <summary>A child's absolute path from the listed directory and its relative path.</summary>
    public static string Join(string directory, string relative) =>
        relative.Length == 0 ? directory : directory.TrimEnd('/') + "/" + relative.TrimStart('/');

    private static string UserName(uint id) => id switch
    {
        0 => "root",
        SandboxUser.Uid => SandboxUser.Name,
        _ => id.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>As ls -l (and Go's FileMode.String) prints it: "drwxr-xr-x".</summary>
    public static string Permissions(SandboxFileType type, uint mode)
    {
        Span<char> s = stackalloc char[10];
        s[0] = type switch
        {
            SandboxFileType.Directory => 'd',
            SandboxFileType.Symlink => 'L',
            SandboxFileType.Fifo => 'p',
            SandboxFileType.Socket => 'S',
            SandboxFileType.CharDevice => 'c',
            SandboxFileType.BlockDevice => 'D',
            _ => '-',
        };
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
            s[i + 1] = (mode & (1u << (8 - i))) != 0 ? rwx[i] : '-';
        return new string(s);
    }
}
