using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>sandboxctl fs ls|cat|rm|mkdir|mv|watch: the Files service, path by path.</summary>
internal static class FsCommand
{
    public static Option<string> User() => new("--user") { Description = "as whom: user (default), root or a numeric uid", DefaultValueFactory = _ => "" };

    public static Files.FilesClient FilesOf(ParseResult result, out Sandboxd.Api.Client.SandboxesClient client)
    {
        client = CommonOptions.Connect(result);
        return new Files.FilesClient(client.Connection.Channel);
    }

    public static CallOptions Options(Sandboxd.Api.Client.SandboxesClient client, CancellationToken cancel) =>
        client.Connection.Options(cancel: cancel);

    public static Command Build()
    {
        var fs = new Command("fs", "files inside a sandbox (paths resolved inside its root)");
        fs.Subcommands.Add(Ls());
        fs.Subcommands.Add(Cat());
        fs.Subcommands.Add(Rm());
        fs.Subcommands.Add(Mkdir());
        fs.Subcommands.Add(Mv());
        fs.Subcommands.Add(Watch());
        return fs;
    }

    private static (Argument<string> Id, Argument<string> Path, Option<string> User) Common(string pathName = "path") =>
        (new Argument<string>("id") { Description = "sandbox id" }, new Argument<string>(pathName) { Description = "path inside the sandbox" }, User());

    private static Command Ls()
    {
        var (id, path, user) = Common();
        var depth = new Option<uint>("--depth", "-d") { Description = "levels to list (default 1)", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("ls", "list a directory") { id, path, user, depth, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                var list = await files.ListDirAsync(new ListDirRequest
                {
                    SandboxId = result.GetValue(id)!, Path = result.GetValue(path)!, Depth = result.GetValue(depth), User = result.GetValue(user)!,
                }, Options(client, cancel));
                if (result.GetValue(json))
                {
                    Console.WriteLine(CommonOptions.ToJson(list));
                    return 0;
                }
                foreach (var e in list.Entries)
                    Console.WriteLine(Line(e));
                return 0;
            }
        }));
        return command;
    }

    public static string Line(FileEntry e) => string.Create(CultureInfo.InvariantCulture,
        $"{TypeLetter(e.Type)}{Convert.ToString(e.Mode, 8).PadLeft(4, '0')} {e.Uid,6} {e.Gid,6} {e.Size,12} {e.Path}{(e.LinkTarget.Length > 0 ? " -> " + e.LinkTarget : "")}");

    private static char TypeLetter(FileType t) => t switch
    {
        FileType.Directory => 'd',
        FileType.Symlink => 'l',
        FileType.Fifo => 'p',
        FileType.Socket => 's',
        FileType.CharDevice => 'c',
        FileType.BlockDevice => 'b',
        _ => '-',
    };

    private static Command Cat()
    {
        var (id, path, user) = Common();
        var command = new Command("cat", "write a file's bytes to stdout") { id, path, user };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                using var call = files.ReadFile(new ReadFileRequest { SandboxId = result.GetValue(id)!, Path = result.GetValue(path)!, User = result.GetValue(user)! },
                    Options(client, cancel));
                await using var stdout = Console.OpenStandardOutput();
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancel))
                    await stdout.WriteAsync(chunk.Data.Memory, cancel);
                return 0;
            }
        }));
        return command;
    }

    private static Command Rm()
    {
        var (id, path, user) = Common();
        var recursive = new Option<bool>("--recursive", "-r") { Description = "a directory and everything under it" };
        var command = new Command("rm", "remove a file or directory") { id, path, user, recursive };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                await files.RemoveAsync(new RemoveRequest
                {
                    SandboxId = result.GetValue(id)!, Path = result.GetValue(path)!, Recursive = result.GetValue(recursive), User = result.GetValue(user)!,
                }, Options(client, cancel));
                return 0;
            }
        }));
        return command;
    }

    private static Command Mkdir()
    {
        var (id, path, user) = Common();
        var parents = new Option<bool>("--parents", "-p") { Description = "also the missing parents; no error if it exists" };
        var command = new Command("mkdir", "make a directory") { id, path, user, parents };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                await files.MakeDirAsync(new MakeDirRequest
                {
                    SandboxId = result.GetValue(id)!, Path = result.GetValue(path)!, Parents = result.GetValue(parents), User = result.GetValue(user)!,
                }, Options(client, cancel));
                return 0;
            }
        }));
        return command;
    }

    private static Command Mv()
    {
        var (id, source, user) = Common("source");
        var destination = new Argument<string>("destination") { Description = "new path inside the sandbox" };
        var force = new Option<bool>("--force", "-f") { Description = "replace an existing destination" };
        var command = new Command("mv", "rename or move") { id, source, destination, user, force };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                await files.MoveAsync(new MoveRequest
                {
                    SandboxId = result.GetValue(id)!, Source = result.GetValue(source)!, Destination = result.GetValue(destination)!,
                    Overwrite = result.GetValue(force), User = result.GetValue(user)!,
                }, Options(client, cancel));
                return 0;
            }
        }));
        return command;
    }

    private static Command Watch()
    {
        var (id, path, user) = Common();
        var recursive = new Option<bool>("--recursive", "-r") { Description = "also every directory below" };
        var json = CommonOptions.Json();
        var command = new Command("watch", "print create/modify/delete/move events until interrupted") { id, path, user, recursive, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var files = FilesOf(result, out var client);
            using (client)
            {
                using var call = files.Watch(new WatchRequest
                {
                    SandboxId = result.GetValue(id)!, Path = result.GetValue(path)!, Recursive = result.GetValue(recursive), User = result.GetValue(user)!,
                }, Options(client, cancel));
                ulong dropped = 0;
                try
                {
                    await foreach (var e in call.ResponseStream.ReadAllAsync(cancel))
                    {
                        if (result.GetValue(json))
                            Console.WriteLine(CommonOptions.ToJsonLine(e));
                        else if (e.Kind != WatchEventKind.Ready)
                            Console.WriteLine(e.Kind switch
                            {
                                WatchEventKind.Move => $"move {e.Path} -> {e.NewPath}",
                                WatchEventKind.Overflow => "overflow: events were lost",
                                _ => $"{e.Kind.ToString().ToLowerInvariant()} {e.Path}{(e.IsDir ? "/" : "")}",
                            });
                        if (e.Dropped > dropped)
                        {
                            dropped = e.Dropped;
                            if (!result.GetValue(json))
                                await Console.Error.WriteLineAsync($"sandboxctl: {dropped} events dropped so far");
                        }
                    }
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancel.IsCancellationRequested)
                {
                }
                return 0;
            }
        }));
        return command;
    }
}
