package io.retort.orm.processor;

import io.retort.orm.Metamodel;
import io.retort.sql.Column;
import jakarta.persistence.Entity;

import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Compiles sources in memory with javac and (optionally) the metamodel processor; loads the result. */
final class InMemoryJavac {
    private InMemoryJavac() {
    }

    /** The outcome: diagnostics, generated sources by qualified name, and a loader of the classes. */
    record Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics,
                  Map<String, String> generated, ClassLoader loader) {

        String source(String qualifiedName) {
            String s = generated.get(qualifiedName);
            if (s == null) {
                throw new AssertionError(qualifiedName + " was not generated; generated: " + generated.keySet()
                        + "; diagnostics: " + messages(null));
            }
            return s;
        }

        List<String> messages(Diagnostic.Kind kind) {
            return diagnostics.stream().filter(d -> kind == null || d.getKind() == kind)
                    .map(d -> d.getKind() + ": " + d.getMessage(null)).collect(Collectors.toList());
        }

        Class<?> load(String name) {
            try {
                return Class.forName(name, true, loader);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }

        Object field(String className, String field) {
            try {
                return load(className).getField(field).get(null);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Compiles {@code sources} (qualified class name → text) with the processor passed explicitly. */
    static Result compile(Map<String, String> sources) {
        return compile(sources, true);
    }

    /**
     * Compiles {@code sources}; with {@code explicitProcessor} false, javac discovers the processor
     * itself through META-INF/services on the class path.
     */
    static Result compile(Map<String, String> sources, boolean explicitProcessor) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8);
        Map<String, ByteArrayOutputStream> classes = new LinkedHashMap<>();
        Map<String, StringWriter> generated = new LinkedHashMap<>();
        try {
            standard.setLocation(StandardLocation.CLASS_PATH, classPath());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        JavaFileManager fm = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                if (kind == JavaFileObject.Kind.CLASS) {
                    return new MemoryFile(className, kind) {
                        @Override
                        public OutputStream openOutputStream() {
                            ByteArrayOutputStream out = new ByteArrayOutputStream();
                            classes.put(className, out);
                            return out;
                        }
                    };
                }
                StringWriter w = new StringWriter();
                generated.put(className, w);
                return new MemoryFile(className, kind) {
                    @Override
                    public Writer openWriter() {
                        return w;
                    }

                    @Override
                    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                        return w.toString();
                    }
                };
            }
        };
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, text) -> units.add(new MemoryFile(name, JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return text;
            }
        }));
        List<String> options = new ArrayList<>(List.of("-Xlint:all,-processing", "--release", "17"));
        if (!explicitProcessor && Runtime.version().feature() >= 21) {
            options.add("-proc:full"); // discovery from the class path is off by default from JDK 23
        }
        JavaCompiler.CompilationTask task = javac.getTask(null, fm, diagnostics, options, null, units);
        if (explicitProcessor) {
            task.setProcessors(List.<Processor>of(new MetamodelProcessor()));
        }
        boolean ok = task.call();
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        classes.forEach((k, v) -> bytes.put(k, v.toByteArray()));
        Map<String, String> texts = new LinkedHashMap<>();
        generated.forEach((k, v) -> texts.put(k, v.toString()));
        return new Result(ok, diagnostics.getDiagnostics(), texts, new MemoryLoader(bytes));
    }

    /** jakarta.persistence-api, reactive-core and reactive-orm (main classes, with META-INF/services). */
    private static List<File> classPath() {
        Set<File> files = new LinkedHashSet<>();
        for (Class<?> c : List.of(Entity.class, Column.class, Metamodel.class, reactor.core.publisher.Flux.class)) {
            try {
                files.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile());
            } catch (URISyntaxException e) {
                throw new AssertionError(e);
            }
        }
        return new ArrayList<>(files);
    }

    private static class MemoryFile extends SimpleJavaFileObject {
        MemoryFile(String className, Kind kind) {
            super(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind);
        }
    }

    /** Child-first for the compiled classes only; io.retort and jakarta come from the test's loader. */
    private static final class MemoryLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        MemoryLoader(Map<String, byte[]> classes) {
            super(InMemoryJavac.class.getClassLoader());
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
