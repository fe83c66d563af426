using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Api;
using Sandboxd.Core.E2b.Connect;
using Sandboxd.Core.Orchestration;
using Sandboxd.E2b.Envd.Filesystem;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>envd's filesystem.Filesystem on the daemon's file API: every call opens the
/// sandbox's root through Orchestrator.OpenFiles (tenant-scoped, activity, idle auto-resume) and
/// resolves its paths inside it, as the Files service does; watches are the Files service's.</summary>
public sealed class EnvdFilesystem(Orchestrator orchestrator, EnvdWatchers watchers, ILogger<EnvdFilesystem> log)
{
    private const int MaxListEntries = 100_000;

    public Task HandleAsync(HttpContext context, string method) => method switch
    {
        "Stat" => Unary(context, StatRequest.Parser, (r, files, user) => new StatResponse { Entry = Stat(files, EnvdCall.Absolute(r.Path, user)) }),
        "ListDir" => Unary(context, ListDirRequest.Parser, (r, files, user) => ListDir(files, EnvdCall.Absolute(r.Path, user), r.Depth)),
        "MakeDir" => Unary(context, MakeDirRequest.Parser, (r, files, user) => MakeDir(files, EnvdCall.Absolute(r.Path, user))),
        "Move" => Unary(context, MoveRequest.Parser, (r, files, user) =>
        {
            var destination = EnvdCall.Absolute(r.Destination, user);
            files.Move(EnvdCall.Absolute(r.Source, user), destination, overwrite: true);
            return new MoveResponse { Entry = Stat(files, destination) };
        }),
        "Remove" => Unary(context, RemoveRequest.Parser, (r, files, user) =>
        {
            // As envd (os.RemoveAll): what is not there is removed already.
            var path = EnvdCall.Absolute(r.Path, user);
            if (Exists(files, path))
                files.Remove(path, recursive: true);
            return new RemoveResponse();
        }),
        "WatchDir" => ConnectCall.ServerStreamAsync(context, WatchDirRequest.Parser, (r, s, c) => WatchAsync(context, r, s, c), log),
        "CreateWatcher" => ConnectCall.UnaryAsync(context, CreateWatcherRequest.Parser, async (r, c) =>
        {
            var user = EnvdCall.UserOf(context.Request);
            var id = await watchers.CreateAsync(EnvdCall.Of(context).SandboxId, user, EnvdCall.Absolute(r.Path, user), r.Recursive, r.IncludeEntry, c)
                .ConfigureAwait(false);
            return new CreateWatcherResponse { WatcherId = id };
        }, log),
        "GetWatcherEvents" => ConnectCall.UnaryAsync(context, GetWatcherEventsRequest.Parser, (r, _) =>
            Task.FromResult<IMessage>(new GetWatcherEventsResponse { Events = { watchers.Drain(EnvdCall.Of(context).SandboxId, r.WatcherId) } }), log),
        "RemoveWatcher" => ConnectCall.UnaryAsync(context, RemoveWatcherRequest.Parser, (r, _) =>
        {
            watchers.Remove(EnvdCall.Of(context).SandboxId, r.WatcherId);
            return Task.FromResult<IMessage>(new RemoveWatcherResponse());
        }, log),
        _ => EnvdRoutes.UnknownMethodAsync(context, "filesystem.Filesystem", method),
    };

    /// <summary>A unary call on the sandbox's files as the call's user.</summary>
    private Task Unary<TRequest>(HttpContext context, MessageParser<TRequest> parser, Func<TRequest, SandboxFiles, string, IMessage> handle)
        where TRequest : IMessage<TRequest>, new() =>
        ConnectCall.UnaryAsync(context, parser, (request, _) =>
        {
            var user = EnvdCall.UserOf(context.Request);
            using var files = orchestrator.OpenFiles(EnvdCall.Of(context).SandboxId, user, out LiveSandbox _);
            return Task.FromResult(handle(request, files, user));
        }, log);

    private static EntryInfo Stat(SandboxFiles files, string path) => EntryInfoMapping.ToEntry(files.Stat(path), path);

    private static ListDirResponse ListDir(SandboxFiles files, string path, uint depth)
    {
        if (depth > 64)
            throw new InvalidFieldException("depth", "at most 64");
        var response = new ListDirResponse();
        // In path order, as envd's walk gives them (a directory, then what is in it).
        foreach (var f in files.List(path, (int)Math.Max(1, depth), MaxListEntries).OrderBy(f => f.Path, StringComparer.Ordinal))
            response.Entries.Add(EntryInfoMapping.ToEntry(f, EntryInfoMapping.Join(path, f.Path)));
        return response;
    }

    /// <summary>With parents, as envd; an existing directory is ALREADY_EXISTS (the SDK's false).</summary>
    private static MakeDirResponse MakeDir(SandboxFiles files, string path)
    {
        if (Exists(files, path))
            throw new SandboxFileException(path, Isolation.Errno.EEXIST);
        return new MakeDirResponse { Entry = EntryInfoMapping.ToEntry(files.MakeDir(path, parents: true, 0x1ED /* 0755 */), path) };
    }

    private static bool Exists(SandboxFiles files, string path)
    {
        try
        {
            files.Stat(path);
            return true;
        }
        catch (SandboxFileException e) when (e.ErrorNumber == Isolation.Errno.ENOENT)
        {
            return false;
        }
    }

    private async Task WatchAsync(HttpContext context, WatchDirRequest request, ConnectStream stream, CancellationToken cancel)
    {
        var user = EnvdCall.UserOf(context.Request);
        var path = EnvdCall.Absolute(request.Path, user);
        var sandboxId = EnvdCall.Of(context).SandboxId;
        await FileWatchStream.RunAsync(orchestrator, sandboxId, user, path, request.Recursive,
            async () =>
            {
                await stream.WriteAsync(new WatchDirResponse { Start = new WatchDirResponse.Types.StartEvent() }, cancel).ConfigureAwait(false);
                stream.KeepAlive(context.Request, () => new WatchDirResponse { Keepalive = new WatchDirResponse.Types.KeepAlive() }, cancel);
            },
            async (e, _) =>
            {
                foreach (var fs in EnvdWatchers.Events(orchestrator, sandboxId, user, path, e, request.IncludeEntry))
                    await stream.WriteAsync(new WatchDirResponse { Filesystem = fs }, cancel).ConfigureAwait(false);
            }, cancel).ConfigureAwait(false);
    }
}
