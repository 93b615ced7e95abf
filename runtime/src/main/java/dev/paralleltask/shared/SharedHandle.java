package dev.paralleltask.shared;

import java.io.InvalidObjectException;
import java.io.Serializable;
import java.util.List;

/**
 * What travels in place of a shared object: its kind and its file. The receiving process maps the
 * file once, checking that it is a shared object of this user in a shared-object directory, and
 * gets the object back ({@link #readResolve}); a file that is gone means the object was closed.
 */
record SharedHandle(int kind, String path, List<String> classNames) implements Serializable {
    private Object readResolve() throws InvalidObjectException {
        return SharedObject.resolve(this);
    }
}
