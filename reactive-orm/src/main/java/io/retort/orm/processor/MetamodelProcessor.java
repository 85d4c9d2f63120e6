package io.retort.orm.processor;

import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.Messager;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.ModuleElement;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.Diagnostic;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates the typed metamodel of Jakarta Persistence entities (O1): for each {@code @Entity}
 * class {@code p.Artist}, a class {@code p.Artist_} with
 * <ul>
 *   <li>{@code public static final Column<T> name} for every basic, {@code @Id} and
 *       {@code @Version} field, {@code T} being the field's type, boxed ({@code int} gives
 *       {@code Column<Integer>}; a generic type is used raw);</li>
 *   <li>{@code public static final Column<T> address_city} for each field {@code city} of an
 *       {@code @Embedded} / {@code @EmbeddedId} field (or a field of an {@code @Embeddable}
 *       type) {@code address}: the mapper's attribute path {@code "address.city"} with the dot
 *       written as an underscore;</li>
 *   <li>{@code public static final Relationship<Artist, Album> albums} for every
 *       {@code @ManyToOne}, {@code @OneToMany} and {@code @ManyToMany} field, the target being
 *       the element type of a collection.</li>
 * </ul>
 * Fields are read as {@link io.retort.orm.OrmRegistry} reads them: the class's own fields and
 * those of its {@code @MappedSuperclass} / {@code @Entity} superclasses (repeated in each
 * subclass's metamodel; with inheritance (O8) {@code Manager_.name} is the very column of
 * {@code Employee_.name}, since the subclass's mapper inherits its superclass's properties and
 * relationships), skipping static, {@code transient}
 * and {@code @Transient} fields. Each handle is initialised with
 * {@link io.retort.orm.Metamodel#column} / {@link io.retort.orm.Metamodel#relationship}, so it
 * is the very object the application's registry maps.
 *
 * <p>Nested entities: a static member class {@code p.Catalog.Label} (at any depth, not private)
 * gets a top-level {@code p.Label_}, the simple name plus underscore as for top-level classes (the
 * name the ORM's messages use). If another entity of the same package in the same compilation
 * would get the same name (a top-level {@code p.Label}, or {@code p.Shop.Label}), the nested ones
 * are named after their enclosing classes instead: {@code p.Catalog_Label_}, {@code p.Shop_Label_};
 * a note says so. Private nested classes, classes nested in private ones, inner (non-static),
 * local and generic entity classes get no metamodel (a note says why); the run-time lookups of
 * {@link io.retort.orm.Metamodel} still work for them. The generated class is public when the
 * entity and all its enclosing classes are, package-private otherwise.
 *
 * <p>Use: have {@code reactive-orm} on the annotation processor path (Maven:
 * {@code <annotationProcessorPaths>} of maven-compiler-plugin) or, with javac's default
 * discovery (JDK 22 and earlier, or {@code -proc:full}), simply on the class path: the processor
 * is registered in {@code META-INF/services/javax.annotation.processing.Processor}. It never
 * claims {@code @Entity}, so other processors still see it.
 */
@SupportedAnnotationTypes(MetamodelProcessor.ENTITY)
public final class MetamodelProcessor extends AbstractProcessor {
    static final String ENTITY = "jakarta.persistence.Entity";
    private static final String P = "jakarta.persistence.";
    private static final String MAPPED_SUPERCLASS = P + "MappedSuperclass";
    private static final String EMBEDDABLE = P + "Embeddable";
    private static final String EMBEDDED = P + "Embedded";
    private static final String EMBEDDED_ID = P + "EmbeddedId";
    private static final String TRANSIENT = P + "Transient";
    private static final String MANY_TO_ONE = P + "ManyToOne";
    private static final String ONE_TO_MANY = P + "OneToMany";
    private static final String MANY_TO_MANY = P + "ManyToMany";

    private static final String COLUMN = "io.retort.sql.Column";
    private static final String METAMODEL = "io.retort.orm.Metamodel";
    private static final String RELATIONSHIP = "io.retort.orm.Relationship";
    private static final String QUERY_EXPRESSION = "io.retort.orm.QueryExpression";
    private static final String EXPRESSION_ATTRIBUTE = "io.retort.orm.ExpressionAttribute";
    private static final String QUERY_EXPRESSION_KIND = "query expression";
    private static final String GENERATED = "javax.annotation.processing.Generated";

    /** Qualified names written so far (over all rounds). */
    private final Set<String> written = new HashSet<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        TypeElement entityAnnotation = elements().getTypeElement(ENTITY);
        if (entityAnnotation == null) {
            return false;
        }
        List<TypeElement> entities = new ArrayList<>();
        for (Element e : round.getElementsAnnotatedWith(entityAnnotation)) {
            if (!(e instanceof TypeElement te)) {
                continue;
            }
            String why = unsupported(te);
            if (why != null) {
                note(te, "Retort metamodel: no " + te.getSimpleName() + "_ generated for " + te.getQualifiedName()
                        + ": " + why + "; use Metamodel.column(...) / Metamodel.relationship(...) at run time");
                continue;
            }
            entities.add(te);
        }
        Map<TypeElement, String> names = names(entities);
        for (TypeElement te : entities) {
            String name = names.get(te);
            if (written.add(name)) {
                generate(te, name);
            }
        }
        return false;
    }

    // =============================================================== which entities, which names

    /** Why {@code te} gets no metamodel class, or null. */
    private static String unsupported(TypeElement te) {
        if (te.getKind() != ElementKind.CLASS) {
            return "only classes are mapped, not a " + te.getKind().toString().toLowerCase(java.util.Locale.ROOT);
        }
        if (!te.getTypeParameters().isEmpty()) {
            return "it is generic";
        }
        for (Element x = te; x instanceof TypeElement t; x = x.getEnclosingElement()) {
            if (t.getNestingKind() == NestingKind.LOCAL || t.getNestingKind() == NestingKind.ANONYMOUS) {
                return "it is a local class";
            }
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                return t == te ? "it is private" : "it is nested in private " + t.getSimpleName();
            }
            if (t.getNestingKind() == NestingKind.MEMBER && !t.getModifiers().contains(Modifier.STATIC)
                    && t.getKind() == ElementKind.CLASS && !t.getEnclosingElement().getKind().isInterface()) {
                return t == te ? "it is an inner (non-static) class; make it static"
                        : "it is nested in inner (non-static) class " + t.getSimpleName();
            }
        }
        return null;
    }

    /**
     * The qualified metamodel class name of each entity: {@code p.Simple_}; for a nested entity
     * whose simple name clashes with another entity of its package, {@code p.Outer_Simple_}.
     */
    private Map<TypeElement, String> names(List<TypeElement> entities) {
        Map<String, List<TypeElement>> claims = new HashMap<>();
        for (TypeElement te : entities) {
            claims.computeIfAbsent(prefix(te) + te.getSimpleName() + "_", k -> new ArrayList<>()).add(te);
        }
        Map<TypeElement, String> names = new LinkedHashMap<>();
        for (TypeElement te : entities) {
            String simple = prefix(te) + te.getSimpleName() + "_";
            if (te.getNestingKind() == NestingKind.TOP_LEVEL || claims.get(simple).size() == 1) {
                names.put(te, simple);
            } else {
                String qualified = prefix(te) + relativeName(te).replace('.', '_') + "_";
                note(te, "Retort metamodel: " + simple + " would name several entities of package "
                        + packageName(te) + "; the metamodel of " + te.getQualifiedName() + " is " + qualified);
                names.put(te, qualified);
            }
        }
        return names;
    }

    // =============================================================== reading the fields

    private record Attr(String javaName, String path, boolean relationship, TypeMirror type, TypeElement target,
                        String kind, VariableElement field) {
    }

    /** Fields as OrmRegistry.fields reads them: superclasses first, own fields last. */
    private List<VariableElement> fields(TypeElement c) {
        List<TypeElement> chain = new ArrayList<>();
        for (TypeElement k = c; k != null && !k.getQualifiedName().contentEquals("java.lang.Object"); k = superclass(k)) {
            if (k == c || has(k, MAPPED_SUPERCLASS) || has(k, ENTITY)) {
                chain.add(0, k);
            }
        }
        List<VariableElement> out = new ArrayList<>();
        for (TypeElement k : chain) {
            for (VariableElement f : ElementFilter.fieldsIn(k.getEnclosedElements())) {
                Set<Modifier> mods = f.getModifiers();
                if (mods.contains(Modifier.STATIC) || mods.contains(Modifier.TRANSIENT) || has(f, TRANSIENT)) {
                    continue;
                }
                out.add(f);
            }
        }
        return out;
    }

    private TypeElement superclass(TypeElement k) {
        TypeMirror s = k.getSuperclass();
        return s.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) s).asElement() : null;
    }

    private List<Attr> attributes(TypeElement entity, Set<Element> originating) {
        List<Attr> out = new ArrayList<>();
        for (VariableElement f : fields(entity)) {
            String name = f.getSimpleName().toString();
            TypeMirror t = f.asType();
            if (has(f, MANY_TO_ONE)) {
                TypeElement target = declared(t);
                if (target == null) {
                    warn(f, "Retort metamodel: @ManyToOne " + name + " must have an entity type; no handle generated");
                    continue;
                }
                out.add(new Attr(name, name, true, null, target, "many-to-one", f));
            } else if (has(f, ONE_TO_MANY) || has(f, MANY_TO_MANY)) {
                TypeElement target = null;
                if (t instanceof DeclaredType dt && !dt.getTypeArguments().isEmpty()) {
                    target = declared(dt.getTypeArguments().get(0));
                }
                if (target == null) {
                    warn(f, "Retort metamodel: " + name + " must be a List<Entity> or Set<Entity> with a concrete"
                            + " element type; no handle generated");
                    continue;
                }
                out.add(new Attr(name, name, true, null, target, has(f, ONE_TO_MANY) ? "one-to-many" : "many-to-many", f));
            } else if (has(f, QUERY_EXPRESSION)) {
                out.add(new Attr(name, name, false, t, null, QUERY_EXPRESSION_KIND, f));
            } else if (has(f, EMBEDDED) || has(f, EMBEDDED_ID) || embeddable(t)) {
                TypeElement emb = declared(t);
                if (emb == null) {
                    continue;
                }
                originating.add(emb);
                for (VariableElement inner : fields(emb)) {
                    String innerName = inner.getSimpleName().toString();
                    out.add(new Attr(name + "_" + innerName, name + "." + innerName, false, inner.asType(), null,
                            has(f, EMBEDDED_ID) ? "embedded id" : "embedded", inner));
                }
            } else {
                out.add(new Attr(name, name, false, t, null, null, f));
            }
        }
        return out;
    }

    private boolean embeddable(TypeMirror t) {
        TypeElement e = declared(t);
        return e != null && has(e, EMBEDDABLE);
    }

    private TypeElement declared(TypeMirror t) {
        TypeMirror erased = types().erasure(t);
        return erased.getKind() == TypeKind.DECLARED ? (TypeElement) ((DeclaredType) erased).asElement() : null;
    }

    // =============================================================== writing

    private void generate(TypeElement entity, String qualified) {
        Set<Element> originating = new LinkedHashSet<>();
        originating.add(entity);
        for (TypeElement k = superclass(entity); k != null; k = superclass(k)) {
            if (has(k, MAPPED_SUPERCLASS) || has(k, ENTITY)) {
                originating.add(k);
            }
        }
        List<Attr> attrs = attributes(entity, originating);
        String pkg = packageName(entity);
        String simple = qualified.substring(prefix(entity).length());
        Unit u = new Unit(pkg);
        String entityRef = u.ref(entity);

        StringBuilder body = new StringBuilder();
        Set<String> seen = new HashSet<>();
        for (Attr a : attrs) {
            if (!seen.add(a.javaName())) {
                warn(a.field(), "Retort metamodel: " + simple + "." + a.javaName() + " would be declared twice; the handle of "
                        + a.path() + " is left out (use Metamodel." + (a.relationship() ? "relationship" : "column") + ")");
                continue;
            }
            if (a.relationship()) {
                if (!accessible(a.target(), pkg)) {
                    note(a.field(), "Retort metamodel: " + a.target().getQualifiedName() + " is not accessible from "
                            + qualified + "; no handle for " + a.path());
                    continue;
                }
                String target = u.ref(a.target());
                body.append("    /** Relationship {@code ").append(a.path()).append("} (").append(a.kind()).append(") to {@link ")
                        .append(target).append("}. */\n");
                body.append("    public static final ").append(u.ref(RELATIONSHIP)).append('<').append(entityRef).append(", ")
                        .append(target).append("> ").append(a.javaName()).append(" = ").append(u.ref(METAMODEL))
                        .append(".relationship(").append(entityRef).append(".class, \"").append(a.path()).append("\", ")
                        .append(target).append(".class);\n\n");
            } else {
                TypeMirror erased = types().erasure(a.type());
                TypeMirror boxed = erased.getKind().isPrimitive()
                        ? types().boxedClass(types().getPrimitiveType(erased.getKind())).asType() : erased;
                if (!accessible(boxed, pkg)) {
                    note(a.field(), "Retort metamodel: the type of " + a.path() + " is not accessible from " + qualified
                            + "; no handle generated");
                    continue;
                }
                String type = u.type(boxed);
                if (type == null) {
                    note(a.field(), "Retort metamodel: " + a.path() + " has type " + a.type() + ", which has no column handle");
                    continue;
                }
                if (QUERY_EXPRESSION_KIND.equals(a.kind())) {
                    body.append("    /** Query expression field {@code ").append(a.path()).append("} (see Load.withExpression). */\n");
                    body.append("    public static final ").append(u.ref(EXPRESSION_ATTRIBUTE)).append('<').append(entityRef)
                            .append(", ").append(type).append("> ").append(a.javaName()).append(" = ").append(u.ref(METAMODEL))
                            .append(".expression(").append(entityRef).append(".class, \"").append(a.path()).append("\", ")
                            .append(type).append(".class);\n\n");
                    continue;
                }
                body.append("    /** Column of attribute {@code ").append(a.path()).append('}')
                        .append(a.kind() == null ? "" : " (" + a.kind() + ")").append(". */\n");
                if (a.type() instanceof DeclaredType dt && !dt.getTypeArguments().isEmpty()) {
                    body.append("    @SuppressWarnings(\"rawtypes\")\n");
                }
                body.append("    public static final ").append(u.ref(COLUMN)).append('<').append(type).append("> ")
                        .append(a.javaName()).append(" = ").append(u.ref(METAMODEL)).append(".column(").append(entityRef)
                        .append(".class, \"").append(a.path()).append("\", ").append(type).append(".class);\n\n");
            }
        }

        boolean isPublic = true;
        for (Element x = entity; x instanceof TypeElement; x = x.getEnclosingElement()) {
            isPublic &= x.getModifiers().contains(Modifier.PUBLIC);
        }
        String generatedRef = generatedAvailable(entity) ? u.ref(GENERATED) : null;

        StringBuilder src = new StringBuilder();
        if (!pkg.isEmpty()) {
            src.append("package ").append(pkg).append(";\n\n");
        }
        for (String imp : u.imports()) {
            src.append("import ").append(imp).append(";\n");
        }
        if (!u.imports().isEmpty()) {
            src.append('\n');
        }
        src.append("/**\n * Typed metamodel of {@link ").append(entityRef).append("}, generated by Retort's MetamodelProcessor:\n")
                .append(" * do not edit. Each handle is the object the application's OrmRegistry maps (see\n")
                .append(" * {@link ").append(u.ref(METAMODEL)).append("}).\n */\n");
        if (generatedRef != null) {
            src.append('@').append(generatedRef).append("(\"").append(MetamodelProcessor.class.getName()).append("\")\n");
        }
        src.append(isPublic ? "public " : "").append("final class ").append(simple).append(" {\n");
        src.append(body);
        src.append("    private ").append(simple).append("() {\n    }\n}\n");

        try {
            var file = filer().createSourceFile(qualified, originating.toArray(new Element[0]));
            try (Writer w = file.openWriter()) {
                w.write(src.toString());
            }
        } catch (FilerException e) {
            warn(entity, "Retort metamodel: " + qualified + " was not generated: " + e.getMessage()
                    + " (is another metamodel generator, such as Hibernate's, on the processor path?)");
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    "Retort metamodel: cannot write " + qualified + ": " + e, entity);
        }
    }

    /** Type names as written in one generated compilation unit, with its imports. */
    private final class Unit {
        private final String pkg;
        private final Map<String, String> imports = new TreeMap<>();

        Unit(String pkg) {
            this.pkg = pkg;
        }

        Set<String> imports() {
            return new java.util.TreeSet<>(imports.values());
        }

        /** A type argument and class literal for {@code t} (boxed already), or null. */
        String type(TypeMirror t) {
            if (t instanceof ArrayType at) {
                TypeMirror c = types().erasure(at.getComponentType());
                String component = c.getKind().isPrimitive() ? c.toString() : type(c);
                return component == null ? null : component + "[]";
            }
            TypeElement e = declared(t);
            return e == null ? null : ref(e);
        }

        String ref(TypeElement e) {
            PackageElement p = elements().getPackageOf(e);
            return ref(p.getQualifiedName().toString(), relativeName(e));
        }

        /** A library type, imported unless the entity's package has a type of the same simple name. */
        String ref(String qualifiedTopLevel) {
            int dot = qualifiedTopLevel.lastIndexOf('.');
            return ref(qualifiedTopLevel.substring(0, dot), qualifiedTopLevel.substring(dot + 1));
        }

        private String ref(String typePkg, String relative) {
            if (typePkg.equals(pkg)) {
                return relative;
            }
            String first = relative.contains(".") ? relative.substring(0, relative.indexOf('.')) : relative;
            String canonical = typePkg.isEmpty() ? relative : typePkg + "." + relative;
            if (samePackageHas(first)) {
                return canonical;
            }
            String qualifiedFirst = typePkg + "." + first;
            if (imports.containsKey(first)) {
                return imports.get(first).equals(qualifiedFirst) ? relative : canonical;
            }
            if (typePkg.equals("java.lang")) {
                return relative;
            }
            if (qualifiedFirst.equals(COLUMN) || qualifiedFirst.equals(METAMODEL) || qualifiedFirst.equals(RELATIONSHIP)
                    || qualifiedFirst.equals(EXPRESSION_ATTRIBUTE) || qualifiedFirst.equals(GENERATED)) {
                if (elements().getTypeElement("java.lang." + first) == null) {
                    imports.put(first, qualifiedFirst);
                    return relative;
                }
            }
            return canonical;
        }

        private boolean samePackageHas(String simple) {
            return elements().getTypeElement(pkg.isEmpty() ? simple : pkg + "." + simple) != null;
        }
    }

    // =============================================================== helpers

    /**
     * {@code @javax.annotation.processing.Generated} can be used: it exists, and a named module
     * requires {@code java.compiler} (else the annotation is left out rather than break the build).
     */
    private boolean generatedAvailable(TypeElement entity) {
        if (elements().getTypeElement(GENERATED) == null) {
            return false;
        }
        ModuleElement m = elements().getModuleOf(entity);
        if (m == null || m.isUnnamed()) {
            return true;
        }
        for (ModuleElement.RequiresDirective r : ElementFilter.requiresIn(m.getDirectives())) {
            if (r.getDependency().getQualifiedName().contentEquals("java.compiler")) {
                return true;
            }
        }
        return false;
    }

    private boolean accessible(TypeMirror t, String pkg) {
        if (t instanceof ArrayType at) {
            return accessible(at.getComponentType(), pkg);
        }
        TypeElement e = declared(t);
        return e == null || accessible(e, pkg);
    }

    /** {@code e} can be named from a top-level class of package {@code pkg}. */
    private boolean accessible(TypeElement e, String pkg) {
        boolean samePackage = elements().getPackageOf(e).getQualifiedName().contentEquals(pkg);
        for (Element x = e; x instanceof TypeElement; x = x.getEnclosingElement()) {
            Set<Modifier> mods = x.getModifiers();
            if (mods.contains(Modifier.PRIVATE) || !mods.contains(Modifier.PUBLIC) && !samePackage) {
                return false;
            }
        }
        return true;
    }

    private String packageName(TypeElement e) {
        return elements().getPackageOf(e).getQualifiedName().toString();
    }

    private String prefix(TypeElement e) {
        String p = packageName(e);
        return p.isEmpty() ? "" : p + ".";
    }

    /** {@code Outer.Inner} for a nested class, the simple name for a top-level one. */
    private static String relativeName(TypeElement e) {
        StringBuilder sb = new StringBuilder(e.getSimpleName());
        for (Element x = e.getEnclosingElement(); x instanceof TypeElement t; x = x.getEnclosingElement()) {
            sb.insert(0, t.getSimpleName() + ".");
        }
        return sb.toString();
    }

    private static boolean has(Element e, String annotation) {
        for (AnnotationMirror am : e.getAnnotationMirrors()) {
            if (((TypeElement) am.getAnnotationType().asElement()).getQualifiedName().contentEquals(annotation)) {
                return true;
            }
        }
        return false;
    }

    private Elements elements() {
        return processingEnv.getElementUtils();
    }

    private Types types() {
        return processingEnv.getTypeUtils();
    }

    private Filer filer() {
        return processingEnv.getFiler();
    }

    private void note(Element e, String message) {
        messager().printMessage(Diagnostic.Kind.NOTE, message, e);
    }

    private void warn(Element e, String message) {
        messager().printMessage(Diagnostic.Kind.WARNING, message, e);
    }

    private Messager messager() {
        return processingEnv.getMessager();
    }
}
