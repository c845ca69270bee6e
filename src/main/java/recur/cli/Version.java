package recur.cli;

import picocli.CommandLine.IVersionProvider;
import recur.math.Kernels;

/** {@code --version}: the jar's Implementation-Version, the Java runtime and the kernels in use. */
final class Version implements IVersionProvider {

    static String number() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "development build";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"recur " + number(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), kernels "
                + Kernels.get().name()};
    }
}
