package io.ballast.generator.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Raw safetensors bytes for tests, so a file can be exactly as broken as a test needs. */
final class SafetensorsFiles {

    private SafetensorsFiles() {}

    /** The header length, {@code header} as UTF-8, then {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return write(file, json.length, json, data);
    }

    /** A header length that need not match what follows it. */
    static Path write(Path file, long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerLength).put(header).put(data);
        Files.write(file, out.array());
        return file;
    }
}
