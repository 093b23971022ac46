package dev.functiongateway.proxy;

import java.io.InputStream;

import org.springframework.stereotype.Component;

import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;

/**
 * Answers every method name the gateway does not serve itself with the one pass-through handler. The method
 * type is UNKNOWN: unary and streaming calls are all forwarded as streams of messages.
 */
@Component
class ProxyHandlerRegistry extends HandlerRegistry {

    private final ProxyCallHandler handler;

    ProxyHandlerRegistry(ProxyCallHandler handler) {
        this.handler = handler;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.<InputStream, InputStream>newBuilder()
                .setFullMethodName(methodName)
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setRequestMarshaller(PassThroughMarshaller.INSTANCE)
                .setResponseMarshaller(PassThroughMarshaller.INSTANCE)
                .build();
        return ServerMethodDefinition.create(method, handler);
    }
}
