using System.Buffers;
using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Sandboxd.Core.Api.Binding;

/// <summary>Receives a generated service's methods (with null handlers: the service instance is
/// made per call) and registers each with an invoker on <typeparamref name="TService"/> and a
/// strict request marshaller.</summary>
internal sealed class StrictMessageBinder<TService>(ServiceMethodProviderContext<TService> context, Type serviceBase) : ServiceBinderBase
    where TService : class
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        context.AddUnaryMethod(Strict(method), Metadata(method.Name),
            Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddServerStreamingMethod(Strict(method), Metadata(method.Name),
            Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest),
                typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddClientStreamingMethod(Strict(method), Metadata(method.Name),
            Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>),
                typeof(ServerCallContext)));

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddDuplexStreamingMethod(Strict(method), Metadata(method.Name),
            Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>),
                typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var inner = method.RequestMarshaller;
        var strict = new Marshaller<TRequest>(inner.ContextualSerializer, deserialization =>
        {
            try
            {
                return inner.ContextualDeserializer(deserialization);
            }
            catch (InvalidProtocolBufferException e)
            {
                // A string field that is not UTF-8 is the client's data, not broken framing: name it.
                string? field = Descriptor<TRequest>() is { } descriptor
                    ? Utf8FieldLocator.Locate(deserialization.PayloadAsReadOnlySequence().ToArray(), descriptor)
                    : null;
                throw new RpcException(new Status(StatusCode.InvalidArgument, field is not null
                    ? $"{field}: is not valid UTF-8"
                    : $"malformed {typeof(TRequest).Name}: {e.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, strict, method.ResponseMarshaller);
    }

    private static Google.Protobuf.Reflection.MessageDescriptor? Descriptor<TRequest>() =>
        typeof(TRequest).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            as Google.Protobuf.Reflection.MessageDescriptor;

    /// <summary>An open-instance delegate to the service's override of the generated method.</summary>
    private TDelegate Invoker<TDelegate>(string name, params Type[] parameters)
        where TDelegate : Delegate
    {
        MethodInfo target = serviceBase.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
            ?? throw new InvalidOperationException($"{serviceBase.Name} has no method {name}");
        return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), target);
    }

    private static List<object> Metadata(string name)
    {
        var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
        if (typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance) is { } implementation)
            metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
        return metadata;
    }
}
