package io.retort.examples;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * X4: the BOM manages exactly the build's published modules (every jar module except the
 * examples and the benchmarks), each at the build's version, so a module added to the build
 * without its BOM line fails here rather than reaching users as a version they must pin.
 */
class RetortBomTest {
    private static final Path ROOT = Path.of("..");
    private static final Set<String> NOT_PUBLISHED = Set.of("examples", "benchmarks");

    @Test
    void theBomManagesEveryPublishedModuleAtTheBuildsVersion() throws Exception {
        Document root = parse(ROOT.resolve("pom.xml"));
        Document bom = parse(ROOT.resolve("retort-bom/pom.xml"));
        String version = child(root.getDocumentElement(), "version");

        Set<String> published = new TreeSet<>();
        for (String module : texts(root.getDocumentElement(), "modules", "module")) {
            Element pom = parse(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
            String packaging = child(pom, "packaging");
            String artifact = child(pom, "artifactId");
            if ((packaging == null || packaging.equals("jar")) && !NOT_PUBLISHED.contains(artifact)) {
                published.add(artifact);
            }
        }
        assertThat(published).contains("reactive-core", "reactive-orm", "retort-spring");

        Set<String> managed = new TreeSet<>();
        Element management = (Element) bom.getDocumentElement().getElementsByTagName("dependencyManagement").item(0);
        NodeList deps = management.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertThat(child(d, "groupId")).isEqualTo("io.retort");
            assertThat(child(d, "version")).isEqualTo("${project.version}");
            managed.add(child(d, "artifactId"));
        }
        assertThat(managed).isEqualTo(published);
        assertThat(child(bom.getDocumentElement(), "version")).as("the BOM's own version").isEqualTo(version);
        assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength())
                .as("a parent would leak the build's third-party pins into users' builds").isZero();
    }

    private static Document parse(Path pom) throws Exception {
        assertThat(pom).exists();
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(pom));
    }

    /** The text of {@code parent}'s direct child element {@code name}, or null. */
    private static String child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                return n.getTextContent().trim();
            }
        }
        return null;
    }

    private static List<String> texts(Element parent, String list, String item) {
        List<String> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(list)) {
                NodeList items = ((Element) n).getElementsByTagName(item);
                for (int i = 0; i < items.getLength(); i++) {
                    out.add(items.item(i).getTextContent().trim());
                }
            }
        }
        return out;
    }
}
