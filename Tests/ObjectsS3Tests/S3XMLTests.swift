import Testing
@testable import ObjectsS3

struct S3XMLTests {
    @Test("element text: exact names, attributes, self-closing, entities")
    func text() {
        let xml = #"<?xml version="1.0"?><R xmlns="x"><UploadIdMarker>no</UploadIdMarker><UploadId a="1">ab&amp;c&#43;&#x2F;</UploadId><E/></R>"#
        #expect(S3XML.text(of: "UploadId", in: xml) == "ab&c+/")
        #expect(S3XML.text(of: "UploadIdMarker", in: xml) == "no")
        #expect(S3XML.text(of: "E", in: xml) == "")
        #expect(S3XML.text(of: "Missing", in: xml) == nil)
        #expect(S3XML.text(of: "ETag", in: "<ETag>&quot;abc&quot;</ETag>") == "\"abc\"")
        #expect(S3XML.decoded("a &bogus; & b &#xZZ;") == "a &bogus; & b &#xZZ;", "unknown entities are kept")
    }

    @Test("the root element, after the declaration")
    func root() {
        #expect(S3XML.rootIs("Error", in: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>X</Code></Error>"))
        #expect(S3XML.rootIs("Error", in: "  <Error>"))
        #expect(!S3XML.rootIs("Error", in: "<Errors><Error/></Errors>"))
        #expect(!S3XML.rootIs("Error", in: "<Result><Error/></Result>"))
        #expect(!S3XML.rootIs("Error", in: ""))
    }

    @Test("escaping round-trips through decoding")
    func escaping() {
        let s = #"<a href="x">&'"#
        #expect(S3XML.escaped(s) == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;")
        #expect(S3XML.decoded(S3XML.escaped(s)) == s)
    }
}
