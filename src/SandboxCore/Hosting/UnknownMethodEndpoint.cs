using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sandboxd.Core.Hosting;

/// <summary>Answers a call to a method no service has with UNIMPLEMENTED naming the method (the
/// framework's own answer, "Method is unimplemented.", does not say which), and anything that is
/// not a gRPC call at all with a plain 404.</summary>
internal static class UnknownMethodEndpoint
{
    public static void MapUnknownMethods(this WebApplication app) => app.MapFallback(context =>
    {
        string path = context.Request.Path.Value ?? "";
        if (!HttpMethods.IsPost(context.Request.Method)
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = "12";
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString("unknown method " + path);
        return Task.CompletedTask;
    });
}
