package dev.paralleltask.it.launch;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Starts an application the way {@code mvn exec:java} does: through a {@code URLClassLoader} of its
 * own, set as the context class loader, while {@code java.class.path} holds only the launcher.
 * Arguments: the main class, then the application's classpath entries.
 */
public final class IsolatedLauncher {
    private IsolatedLauncher() {}

    public static void main(String[] args) throws Exception {
        URL[] urls = new URL[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            urls[i - 1] = Path.of(args[i]).toUri().toURL();
        }
        try (URLClassLoader loader =
                new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            Method main = Class.forName(args[0], true, loader).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        }
    }
}
