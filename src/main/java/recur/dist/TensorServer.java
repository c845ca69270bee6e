package recur.dist;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import recur.wire.WireCodecs;
import recur.wire.proto.TensorHello;

/**
 * The parameter server's end of the tensor links ({@link TensorLink}): listens on the cluster host
 * (a blocking server socket and an accept thread), reads each new connection's {@link TensorHello} and
 * hands the link to {@code hello}, which binds it to the worker that joined with that token (returning
 * null) or says why not (the link is closed). Made in the server verticle's start: the links and
 * {@code hello} run on its context. Closing it closes the links it accepted.
 */
final class TensorServer {
    private static final Logger LOG = LoggerFactory.getLogger(TensorServer.class);

    /** Where the server listens: the cluster host, and a port (0: any free one). */
    record Endpoint(String host, int port) {
    }

    private final Vertx vertx;
    private final Endpoint endpoint;
    private final BiFunction<TensorHello, TensorLink, String> hello;
    private final Set<TensorLink> links = new HashSet<>(); // on the context: accepted (closed ones pruned)
    private ServerSocketChannel server;
    private Context context;
    private int port;
    private boolean closed;

    TensorServer(Vertx vertx, Endpoint endpoint, BiFunction<TensorHello, TensorLink, String> hello) {
        this.vertx = vertx;
        this.endpoint = endpoint;
        this.hello = hello;
    }

    /** Binds the port (failing with the {@link java.net.BindException} when it is taken) and starts accepting. */
    Future<Void> listen() {
        context = vertx.getOrCreateContext();
        try {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(endpoint.host(), endpoint.port()));
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            closeChannel();
            return Future.failedFuture(e);
        }
        ((ContextInternal) context).addCloseHook(this::closedWithContext);
        Thread.ofPlatform().daemon().name("recur-link-accept-" + port).start(this::acceptLoop);
        LOG.info("tensor links on {}:{}", host(), port);
        return Future.succeededFuture();
    }

    String host() {
        return endpoint.host();
    }

    /** The port it listens on (the one picked when asked for 0). */
    int port() {
        return port;
    }

    /** Stops listening and closes the links it accepted; on the context. */
    Future<Void> close() {
        closed = true;
        closeChannel();
        for (TensorLink l : Set.copyOf(links)) {
            l.close("the parameter server closed");
        }
        links.clear();
        return Future.succeededFuture();
    }

    private void closedWithContext(io.vertx.core.Completable<Void> done) {
        closeChannel();
        done.succeed();
    }

    private void closeChannel() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // closed either way
            }
        }
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("tensor links on {}:{}: accept failed ({})", host(), port, e.getMessage());
                }
                return;
            }
            context.runOnContext(v -> accept(socket));
        }
    }

    private void accept(SocketChannel socket) {
        if (closed) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed either way
            }
            return;
        }
        String from;
        try {
            from = "a worker at " + socket.getRemoteAddress();
        } catch (IOException e) {
            from = "a worker";
        }
        String who = from;
        TensorLink link = new TensorLink(socket, who, context);
        links.removeIf(l -> !l.open());
        links.add(link);
        link.closed(why -> LOG.debug("tensor link from {} closed before its hello: {}", who, why));
        link.frames(bytes -> {
            TensorHello h = WireCodecs.hello(bytes);
            link.frames(b -> {
                throw new IllegalStateException("a frame from " + who + " before its hello was accepted");
            });
            String refused = hello.apply(h, link);
            if (refused != null) {
                LOG.warn("tensor link from {} (worker {}) refused: {}", who, h.getWorkerId(), refused);
                link.close(refused);
            }
        });
    }
}
