package org.fuzhi.platform.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The files directory exists from the start: readiness measures the free space under it, and a directory that is
 * not there yet (a new deployment before its first import) would read as a full disk and keep the instance out
 * of the balancer. A directory that can't be made (a missing shared mount) stops the start with its path.
 */
@Component
class StorageDirectory {

    StorageDirectory(@Value("${fuzhi.storage.dir:./data/files}") String dir) {
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException e) {
            throw new UncheckedIOException("the files directory " + dir + " can't be created", e);
        }
    }
}
