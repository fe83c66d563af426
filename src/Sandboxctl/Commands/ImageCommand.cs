using System.CommandLine;
using Google.Protobuf;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`image import NAME FILE`, `image list`, `image rm NAME`. The archive is read here and
/// streamed to the daemon, which may be on another host: it never opens the file itself.</summary>
internal static class ImageCommand
{
    private const int Chunk = 256 << 10;

    public static Command Build()
    {
        var command = new Command("image", "root filesystem images (per host, shared by every tenant; admins import and remove)");
        command.Subcommands.Add(Import());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        return command;
    }

    private static Command Import()
    {
        var name = new Argument<string>("name") { Description = "the image's name (lowercase letters, digits, '.', '_', '-')" };
        var file = new Argument<string>("file") { Description = ".tar, .tar.gz, .tar.zst or .tar.xz (docker export output), or - for stdin" };
        var json = CommonOptions.Json();
        var command = new Command("import", "unpack a root filesystem tarball into a new image") { name, file, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var images = new Images.ImagesClient(client.Connection.Channel);
            var path = result.GetValue(file)!;
            await using var input = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
            using var call = images.Import(client.Connection.Options(null, cancel));
            await call.RequestStream.WriteAsync(new ImportImageRequest { Header = new ImportImageHeader { Name = result.GetValue(name)! } }, cancel);
            var buffer = new byte[Chunk];
            int n;
            try
            {
                while ((n = await input.ReadAsync(buffer, cancel)) > 0)
                    await call.RequestStream.WriteAsync(new ImportImageRequest { Data = ByteString.CopyFrom(buffer, 0, n) }, cancel);
                await call.RequestStream.CompleteAsync();
            }
            catch (InvalidOperationException)
            {
                // The daemon answered (refused the archive) before it was all sent: its status follows.
            }
            var image = await call;
            Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(image) : Line(image));
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "list the imported images") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var list = await new Images.ImagesClient(client.Connection.Channel).ListAsync(new ListImagesRequest(), client.Connection.Options(null, cancel));
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(list));
            else
                foreach (var image in list.Images)
                    Console.WriteLine(Line(image));
            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "the image's name" };
        var command = new Command("rm", "remove an image no sandbox uses") { name };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var image = result.GetValue(name)!;
            var removed = await new Images.ImagesClient(client.Connection.Channel).RemoveAsync(new RemoveImageRequest { Name = image },
                client.Connection.Options(null, cancel));
            Console.WriteLine(removed.Existed ? $"{image} removed" : $"{image}: no such image");
            return removed.Existed ? 0 : 1;
        }));
        return command;
    }

    private static string Line(Image image) =>
        $"{image.Name}\t{image.SizeBytes} bytes\t{image.Entries} entries" + (image.SetuidStripped > 0 ? $"\t{image.SetuidStripped} setuid/setgid bits removed" : "");
}
