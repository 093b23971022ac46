package dev.functiongateway.routing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session ids ({@code nvcf-reqid}) that carry their own binding, so that any replica can resume a session
 * without asking the database. An id is a UUID (version 8, RFC 9562's custom format, so clients that expect a
 * UUID keep working) whose 122 free bits hold: issue time (32, epoch seconds), a random nonce (24), a digest of
 * the worker instance (16), a digest of the key's id (14), and 36 bits of HMAC-SHA256, under a secret every
 * replica shares ({@link SessionSecret}), over the function, version, instance id and address, key id, issue
 * time and nonce. The function and version are not in the id: the call names the function, and the version is
 * that of the one worker whose digest and signature match. Forging an id would take about 2^35 guesses per
 * success, online, and would only name a session of the caller's own key (the signature covers the key). The
 * key digest only tells another key's ids from garbage for the refusal metric; one key in 16384 shares it.
 * Thread-safe.
 */
public final class SessionIds {

    private static final int MAC_BITS = 36;

    /** What an id says before its signature is checked against a worker. */
    record Decoded(long issuedSeconds, int nonce, int instanceDigest, int keyDigest, long mac) {

        Instant issuedAt() {
            return Instant.ofEpochSecond(issuedSeconds);
        }
    }

    private final SecretKeySpec secret;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Mac> macs;

    public SessionIds(byte[] secret) {
        this.secret = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public String mint(UUID functionId, Worker worker, UUID keyId, Instant now) {
        long seconds = now.getEpochSecond() & 0xFFFF_FFFFL;
        int nonce = random.nextInt() & 0xFF_FFFF;
        long mac = mac(functionId, worker, keyId, seconds, nonce);
        int instance = instanceDigest(worker);
        int key = keyDigest(keyId);
        // 122 payload bits around the version (4 bits: 8) and the variant (2 bits: 10) of a UUID. High half:
        // time(32) nonce-high(16) version(4) nonce-low(8) instance-high(4); low half: variant(2)
        // instance-low(12) key(14) mac(36).
        long high = seconds << 32 | (long) (nonce >>> 8) << 16 | 0x8L << 12 | (long) (nonce & 0xFF) << 4
                | (instance >>> 12) & 0xF;
        long low = 0x8000_0000_0000_0000L | (long) (instance & 0xFFF) << 50 | (long) key << MAC_BITS | mac;
        return new UUID(high, low).toString();
    }

    /** The fields of a well-formed id (a version-8 UUID), or null. The signature is not checked yet. */
    Decoded decode(String requestId) {
        if (requestId == null || requestId.length() != 36) {
            return null;
        }
        UUID uuid;
        try {
            uuid = UUID.fromString(requestId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (uuid.version() != 8 || uuid.variant() != 2 || !uuid.toString().equalsIgnoreCase(requestId)) {
            return null;
        }
        long high = uuid.getMostSignificantBits();
        long low = uuid.getLeastSignificantBits();
        long seconds = high >>> 32;
        int nonce = (int) ((high >>> 16) & 0xFFFF) << 8 | (int) ((high >>> 4) & 0xFF);
        int instance = (int) (high & 0xF) << 12 | (int) ((low >>> 50) & 0xFFF);
        int key = (int) ((low >>> MAC_BITS) & 0x3FFF);
        long mac = low & ((1L << MAC_BITS) - 1);
        return new Decoded(seconds, nonce, instance, key, mac);
    }

    /** True if the id was minted for this function, worker and key. */
    boolean verifies(Decoded id, UUID functionId, Worker worker, UUID keyId) {
        return id.instanceDigest() == instanceDigest(worker) && id.keyDigest() == keyDigest(keyId)
                && MessageDigest.isEqual(longBytes(id.mac()),
                        longBytes(mac(functionId, worker, keyId, id.issuedSeconds(), id.nonce())));
    }

    static int instanceDigest(Worker worker) {
        return (int) (digest(worker.instance().id() + "@" + worker.instance().address()) & 0xFFFF);
    }

    static int keyDigest(UUID keyId) {
        return (int) (digest(keyId.toString()) & 0x3FFF);
    }

    private long mac(UUID functionId, Worker worker, UUID keyId, long seconds, int nonce) {
        byte[] instance = (worker.instance().id() + "@" + worker.instance().address()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer input = ByteBuffer.allocate(16 * 3 + 8 + 4 + 4 + instance.length);
        putUuid(input, functionId);
        putUuid(input, worker.versionId());
        putUuid(input, keyId);
        input.putLong(seconds).putInt(nonce).putInt(instance.length).put(instance);
        Mac mac = macs.get();
        return ByteBuffer.wrap(mac.doFinal(input.array())).getLong() >>> (64 - MAC_BITS);
    }

    private static long digest(String value) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)))
                    .getLong();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    private static void putUuid(ByteBuffer buffer, UUID uuid) {
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    }
}
