package recur.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import recur.wire.proto.Heartbeat;
import recur.wire.proto.HeartbeatReply;
import recur.wire.proto.JoinReply;
import recur.wire.proto.JoinRequest;
import recur.wire.proto.Leave;
import recur.wire.proto.ShardEnd;
import recur.wire.proto.ShardOffer;
import recur.wire.proto.ShardReady;
import recur.wire.proto.ShardSetup;
import recur.wire.proto.SliceCommit;
import recur.wire.proto.SliceReduce;
import recur.wire.proto.SliceReduced;
import recur.wire.proto.SliceRequest;
import recur.wire.proto.TensorHello;

/**
 * Registers the default event-bus codecs of every message the trainer sends, once per Vert.x
 * instance (call it where the instance is made; later calls for the same instance do nothing).
 */
public final class WireCodecs {
    private static final Set<Vertx> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private WireCodecs() {}

    public static void register(Vertx vertx) {
        if (!REGISTERED.add(vertx)) {
            return;
        }
        EventBus bus = vertx.eventBus();
        // Written straight into the frame; read in place, tensor bytes aliased: fromProto copies
        // every tensor into arrays of its own.
        bus.registerDefaultCodec(GradientMessage.class, WireCodec.framed("recur.GradientPush",
                (frame, m) -> m.writeFrame(frame), WireCodecs::push));
        bus.registerDefaultCodec(WeightsMessage.class, WireCodec.framed("recur.Weights",
                (frame, m) -> m.writeFrame(frame), WireCodecs::weights));
        checked(bus, JoinRequest.class, "join request", JoinRequest::parseFrom, WireCodecs::check);
        checked(bus, JoinReply.class, "join reply", JoinReply::parseFrom, WireCodecs::check);
        proto(bus, Heartbeat.class, "heartbeat", Heartbeat::parseFrom, Heartbeat::getFormat);
        proto(bus, HeartbeatReply.class, "heartbeat reply", HeartbeatReply::parseFrom, HeartbeatReply::getFormat);
        proto(bus, Leave.class, "leave", Leave::parseFrom, Leave::getFormat);
        proto(bus, SliceRequest.class, "slice request", SliceRequest::parseFrom, SliceRequest::getFormat);
        proto(bus, SliceReduce.class, "slice reduce", SliceReduce::parseFrom, SliceReduce::getFormat);
        proto(bus, SliceReduced.class, "slice reduced", SliceReduced::parseFrom, SliceReduced::getFormat);
        proto(bus, SliceCommit.class, "slice commit", SliceCommit::parseFrom, SliceCommit::getFormat);
        proto(bus, ShardOffer.class, "shard offer", ShardOffer::parseFrom, ShardOffer::getFormat);
        proto(bus, ShardSetup.class, "shard setup", ShardSetup::parseFrom, ShardSetup::getFormat);
        proto(bus, ShardReady.class, "shard ready", ShardReady::parseFrom, ShardReady::getFormat);
        proto(bus, ShardEnd.class, "shard end", ShardEnd::parseFrom, ShardEnd::getFormat);
    }

    /** A parser of one protobuf type. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }

    private static <T extends Message> void proto(EventBus bus, Class<T> type, String what, Parser<T> parser,
                                                  ToIntFunction<T> format) {
        checked(bus, type, what, parser, m -> WireFormat.check(format.applyAsInt(m), what));
    }

    /** A codec whose decoder runs {@code check} (the format and any other validation) on each message. */
    private static <T extends Message> void checked(EventBus bus, Class<T> type, String what, Parser<T> parser,
                                                  Consumer<T> check) {
        bus.registerDefaultCodec(type, new WireCodec<T>("recur." + type.getSimpleName(), Message::toByteArray, b -> {
            T m = parse(b, what, parser);
            check.accept(m);
            return m;
        }));
    }

    /** A gradient push read in place from its protobuf bytes (a view valid during the call), validated. */
    public static GradientMessage push(ByteBuffer bytes) {
        return GradientMessage.fromProto(parseAliased(bytes, "gradient push", recur.wire.proto.GradientPush::parseFrom));
    }

    /**
     * A tensor link's push: its protobuf part read in place (a view valid during the call) and
     * validated, with {@code rawBytes} of gradient values to follow (see GradientMessage#fromLink).
     */
    public static Incoming<GradientMessage> pushFromLink(ByteBuffer proto, long rawBytes, ArrayPool pool) {
        return pushFromLink(proto, rawBytes, pool, null);
    }

    /** As above, the shard states decoded into states from {@code states} where they fit (null: fresh arrays). */
    public static Incoming<GradientMessage> pushFromLink(ByteBuffer proto, long rawBytes, ArrayPool pool,
                                                         Pool<recur.nn.RecurrentState> states) {
        return GradientMessage.fromLink(parseAliased(proto, "gradient push", recur.wire.proto.GradientPush::parseFrom),
                rawBytes, pool, states);
    }

    /** A tensor link's weights, as {@link #pushFromLink} (see WeightsMessage#fromLink). */
    public static Incoming<WeightsMessage> weightsFromLink(ByteBuffer proto, long rawBytes, ArrayPool pool) {
        return WeightsMessage.fromLink(parseAliased(proto, "weights", recur.wire.proto.Weights::parseFrom), rawBytes,
                pool);
    }

    /** A weights message read in place from its protobuf bytes (a view valid during the call), validated. */
    public static WeightsMessage weights(ByteBuffer bytes) {
        return WeightsMessage.fromProto(parseAliased(bytes, "weights", recur.wire.proto.Weights::parseFrom));
    }

    /** A tensor link's hello from its protobuf bytes, validated. */
    public static TensorHello hello(ByteBuffer bytes) {
        TensorHello h = parseAliased(bytes, "tensor hello", TensorHello::parseFrom);
        WireFormat.check(h.getFormat(), "tensor hello");
        if (h.getToken().isEmpty()) {
            throw new WireFormatException("tensor hello: expected a token, found none");
        }
        return h;
    }

    /**
     * The transports a worker may ask for: "" (a worker from before the field), "bus", "tcp2" (a link),
     * and "tcp" (a link of the frame layout before tcp2, answered with none; recur.dist.TensorTransport).
     */
    public static void check(JoinRequest r) {
        WireFormat.check(r.getFormat(), "join request");
        String t = r.getTensorTransport();
        if (!t.isEmpty() && !t.equals("bus") && !t.equals("tcp") && !t.equals("tcp2")) {
            throw new WireFormatException("join request: expected tensor transport tcp2, tcp, bus or none, found '"
                    + t + "'");
        }
    }

    /** A tensor link endpoint is a port 1..65535 with a host and a token, or port 0 with neither. */
    public static void check(JoinReply r) {
        WireFormat.check(r.getFormat(), "join reply");
        int port = r.getTensorPort();
        if (port < 0 || port > 65535) {
            throw new WireFormatException("join reply: expected a tensor port in 0..65535, found " + port);
        }
        boolean host = !r.getTensorHost().isEmpty();
        boolean token = !r.getTensorToken().isEmpty();
        if (port > 0 && (!host || !token)) {
            throw new WireFormatException("join reply: tensor port " + port + " needs a tensor host and token, found "
                    + (host ? "a host" : "no host") + " and " + (token ? "a token" : "no token"));
        }
        if (port == 0 && (host || token)) {
            throw new WireFormatException("join reply: expected no tensor host or token without a tensor port, found "
                    + (host ? "host '" + r.getTensorHost() + "'" : "a token"));
        }
    }

    /** A parser reading from a protobuf input stream. */
    @FunctionalInterface
    public interface StreamParser<T> {
        T parse(CodedInputStream in) throws java.io.IOException;
    }

    /**
     * Parses {@code bytes} in place with bytes fields aliased (not copied): the result must not be
     * kept beyond the bytes' lifetime, only what is copied out of it.
     */
    public static <T> T parseAliased(ByteBuffer bytes, String what, StreamParser<T> parser) {
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
        in.enableAliasing(true);
        try {
            return parser.parse(in);
        } catch (InvalidProtocolBufferException e) {
            throw new WireFormatException(what + ": malformed protobuf (" + e.getMessage() + ")", e);
        } catch (java.io.IOException e) {
            throw new WireFormatException(what + ": unreadable (" + e.getMessage() + ")", e);
        }
    }

    /** Parses protobuf bytes, turning a protobuf error into a {@link WireFormatException}. */
    public static <T> T parse(byte[] bytes, String what, Parser<T> parser) {
        try {
            return parser.parse(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new WireFormatException(what + ": malformed protobuf (" + e.getMessage() + ")", e);
        }
    }
}
