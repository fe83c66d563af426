using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Sandboxd.Core.Api.Binding;

/// <summary>Binds each generated gRPC service, as the framework's own provider does, but with
/// request parsers that answer a malformed message with INVALID_ARGUMENT naming the message
/// type, where the framework would answer UNKNOWN "Exception was thrown by handler".</summary>
public sealed class StrictMessageMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        // Generated service bases carry [BindServiceMethod(typeof(Outer), "BindService")].
        for (Type? type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not { } bind)
                continue;
            MethodInfo? bindService = bind.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == bind.BindMethodName && m.GetParameters().Length == 2
                    && m.GetParameters()[0].ParameterType == typeof(ServiceBinderBase));
            if (bindService is null)
                continue;
            bindService.Invoke(null, [new StrictMessageBinder<TService>(context, type), null]);
            return;
        }
    }
}
