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
                (frame, m) -> m.writeFrame(frame), b -> GradientMessage.fromProto(parseAliased(b, "gradient push",
                        recur.wire.proto.GradientPush::parseFrom))));
        bus.registerDefaultCodec(WeightsMessage.class, WireCodec.framed("recur.Weights",
                (frame, m) -> m.writeFrame(frame), b -> WeightsMessage.fromProto(parseAliased(b, "weights",
                        recur.wire.proto.Weights::parseFrom))));
        proto(bus, JoinRequest.class, "join request", JoinRequest::parseFrom, JoinRequest::getFormat);
        proto(bus, JoinReply.class, "join reply", JoinReply::parseFrom, JoinReply::getFormat);
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
        bus.registerDefaultCodec(type, new WireCodec<T>("recur." + type.getSimpleName(), Message::toByteArray, b -> {
            T m = parse(b, what, parser);
            WireFormat.check(format.applyAsInt(m), what);
            return m;
        }));
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
