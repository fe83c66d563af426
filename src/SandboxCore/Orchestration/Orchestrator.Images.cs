using Sandboxd.Isolation.Images;

namespace Sandboxd.Core.Orchestration;

/// <summary>Which image a create runs on, and removing an image only when nothing uses it.
/// Images are per host: every tenant may use every imported image.</summary>
public sealed partial class Orchestrator
{
    /// <summary>"" or "default": the built-in image (rootfs null, recorded as ""); a name: an
    /// imported image, held against removal until the returned use is disposed (NOT_FOUND when
    /// none has that name); an absolute path: an unpacked rootfs directory, as before images.</summary>
    private IDisposable? UseImage(string requested, out string? rootfs, out string recorded)
    {
        if (requested.Length == 0 || requested == ImageStore.DefaultName)
        {
            (rootfs, recorded) = (null, "");
            return null;
        }
        if (requested.StartsWith('/'))
        {
            rootfs = RequestChecks.Image(requested);
            recorded = rootfs!;
            return null;
        }
        if (!ImageStore.IsValidName(requested))
            throw new InvalidFieldException("image", $"'{(requested.Length <= 64 ? requested : requested[..64] + "…")}' is neither an imported image's name " +
                "(`sandboxctl image list`) nor an absolute path");
        recorded = requested;
        return images.Use(requested, out rootfs);
    }

    /// <summary>False when no image had that name; FAILED_PRECONDITION while a live sandbox, a
    /// stopped one (its kept writable layer sits on the image), a create under way or the warm
    /// pool uses it.</summary>
    public bool RemoveImage(string name) => images.Remove(name, n =>
        _live.Values.FirstOrDefault(l => l.Record.Image == n) is { } user ? $"sandbox {user.Record.Id}"
        : store.Stopped().FirstOrDefault(r => r.Image == n) is { } stopped ? $"stopped sandbox {stopped.Id}"
        : pool.UserOf(n));
}
