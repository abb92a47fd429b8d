//! A small XML tree for tests that read RSS and sitemaps back.

use quick_xml::events::Event;

/// An element: its qualified name (`content:encoded`), attributes, text
/// (unescaped, CDATA included) and children.
#[derive(Debug, Default, Clone)]
pub struct Node {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The children named `name`.
    pub fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|n| n.name == name).collect()
    }

    /// The one child named `name`; panics when there is none or several.
    pub fn one(&self, name: &str) -> &Node {
        let found = self.all(name);
        assert_eq!(found.len(), 1, "one <{name}> in <{}>: {self:?}", self.name);
        found[0]
    }

    /// The text of the one child named `name`.
    pub fn text_of(&self, name: &str) -> &str {
        &self.one(name).text
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

fn node(start: &quick_xml::events::BytesStart<'_>) -> Node {
    Node {
        name: String::from_utf8_lossy(start.name().as_ref()).into_owned(),
        attributes: start
            .attributes()
            .map(|attribute| {
                let attribute = attribute.expect("a well-formed attribute");
                (
                    String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                    attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .expect("an escaped value")
                        .into_owned(),
                )
            })
            .collect(),
        ..Node::default()
    }
}

/// Parses `text` into its root element; panics on malformed XML.
pub fn parse(text: &str) -> Node {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => stack.push(node(&start)),
            Event::Empty(start) => {
                let done = node(&start);
                stack.last_mut().unwrap().children.push(done);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(text) => {
                let text = text.xml10_content().expect("decoded text");
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().expect("a reference name").into_owned();
                let resolved = match name.as_str() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    _ => reference
                        .resolve_char_ref()
                        .expect("a character reference")
                        .map(String::from)
                        .unwrap_or_else(|| panic!("unknown entity &{name};")),
                };
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::CData(data) => {
                let data = String::from_utf8_lossy(&data).into_owned();
                stack.last_mut().unwrap().text.push_str(&data);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}
