using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.Images;

/// <summary>A real daemon with a config of its own (image caps, pools), the Images and Pools
/// clients on it, and tarballs made by make_archive.py in its temp root.</summary>
public sealed class ImageWorld : IDisposable
{
    private readonly TempRoot _root = new();
    private int _archives;

    public const string Admin = """
        principals:
          - name: root
            roles: [admin]
            uids: [0]
        """;

    public ImageWorld(string config = "", params string[] args)
    {
        ConfigPath = Path.Combine(_root.Path, "sandboxd.yaml");
        File.WriteAllText(ConfigPath, Admin + "\n" + config);
        Daemon = new DaemonProcess(_root, ownsRoot: false, ["--config", ConfigPath, "--warm-egress", "0", .. args]);
        Images = new Sandboxd.Api.V1.Images.ImagesClient(Daemon.Client.Connection.Channel);
        Pools = new Sandboxd.Api.V1.Pools.PoolsClient(Daemon.Client.Connection.Channel);
    }

    public string ConfigPath { get; }

    public DaemonProcess Daemon { get; }

    public Sandboxd.Api.V1.Images.ImagesClient Images { get; }

    public Sandboxd.Api.V1.Pools.PoolsClient Pools { get; }

    public string TempPath => _root.Path;

    /// <summary>STATE/images: the built-in image and the imported ones, nothing else.</summary>
    public string Store => Path.Combine(Daemon.Root.StateDir, "images");

    public string[] StoreEntries() => Directory.GetFileSystemEntries(Store).Select(Path.GetFileName).OfType<string>().Order().ToArray();

    /// <summary>make_archive.py KIND into a new file with this extension (.tar, .tar.gz, .tar.xz).</summary>
    public string Archive(string kind, string extension = ".tar.gz", string arg = "")
    {
        var path = Path.Combine(_root.Path, $"archive{++_archives}-{kind}{extension}");
        var start = new ProcessStartInfo("python3") { RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Images", "make_archive.py"), kind, path, arg })
            start.ArgumentList.Add(a);
        using var python = Process.Start(start)!;
        var error = python.StandardError.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
            throw new InvalidOperationException($"make_archive.py {kind}: {error}");
        return path;
    }

    /// <summary>Streams the bytes to Import in 64 KiB chunks, as a remote client would.</summary>
    public async Task<Image> ImportAsync(string name, byte[] archive)
    {
        using var call = Images.Import(Daemon.Client.Connection.Options(TimeSpan.FromSeconds(120)));
        await call.RequestStream.WriteAsync(new ImportImageRequest { Header = new ImportImageHeader { Name = name } });
        try
        {
            for (int offset = 0; offset < archive.Length; offset += 64 << 10)
                await call.RequestStream.WriteAsync(new ImportImageRequest
                {
                    Data = ByteString.CopyFrom(archive, offset, Math.Min(64 << 10, archive.Length - offset)),
                });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or RpcException)
        {
            // The daemon answered before the whole archive was sent: its status is the call's.
        }
        return await call.ResponseAsync;
    }

    public Task<Image> ImportFileAsync(string name, string path) => ImportAsync(name, File.ReadAllBytes(path));

    public async Task<PoolLane?> LaneAsync(string profile, string image) =>
        (await Pools.ListAsync(new ListPoolsRequest())).Lanes.FirstOrDefault(l => l.Profile == profile && l.Image == image && !l.Egress);

    /// <summary>Waits (no timing asserted) until the lane holds ready sandboxes.</summary>
    public async Task<PoolLane> WaitForLaneAsync(string profile, string image, int ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var lane = await LaneAsync(profile, image);
            if (lane is not null && lane.Ready == ready)
                return lane;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"lane {profile}/{image} never had {ready} ready: {lane}\n{Daemon.Log}");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        Daemon.Dispose();
        _root.Dispose();
    }
}
