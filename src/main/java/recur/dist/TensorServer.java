package recur.dist;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.wire.WireCodecs;
import recur.wire.proto.TensorHello;

/**
 * The parameter server's end of the tensor links ({@link TensorLink}): listens on the cluster host,
 * reads each new connection's {@link TensorHello} and hands the link to {@code hello}, which binds it
 * to the worker that joined with that token (returning null) or says why not (the link is closed).
 * Made in the server verticle's start, so connections are handled on its event loop.
 */
final class TensorServer {
    private static final Logger LOG = LoggerFactory.getLogger(TensorServer.class);

    /** Where the server listens: the cluster host, and a port (0: any free one). */
    record Endpoint(String host, int port) {
    }

    private final Vertx vertx;
    private final Endpoint endpoint;
    private final BiFunction<TensorHello, TensorLink, String> hello;
    private NetServer server;

    TensorServer(Vertx vertx, Endpoint endpoint, BiFunction<TensorHello, TensorLink, String> hello) {
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.hello = hello;
    }

    Future<Void> listen() {
        server = vertx.createNetServer(new NetServerOptions().setHost(endpoint.host()).setPort(endpoint.port())
                .setTcpNoDelay(true));
        server.connectHandler(this::accept);
        return server.listen().onSuccess(s -> LOG.info("tensor links on {}:{}", host(), s.actualPort())).mapEmpty();
    }

    String host() {
        return endpoint.host();
    }

    /** The port it listens on (the one picked when asked for 0). */
    int port() {
        return server.actualPort();
    }

    Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void accept(NetSocket socket) {
        String from = "a worker at " + socket.remoteAddress();
        TensorLink link = new TensorLink(socket, from);
        link.closed(why -> LOG.debug("tensor link from {} closed before its hello: {}", from, why));
        link.frames(bytes -> {
            TensorHello h = WireCodecs.hello(bytes);
            link.frames(b -> {
                throw new IllegalStateException("a frame from " + from + " before its hello was accepted");
            });
            String refused = hello.apply(h, link);
            if (refused != null) {
                LOG.warn("tensor link from {} (worker {}) refused: {}", from, h.getWorkerId(), refused);
                link.close(refused);
            }
        });
    }
}
