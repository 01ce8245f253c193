import Foundation
import PlugboardKernel
import Testing

@Suite("digest and object keys")
struct DigestTests {
    @Test func sha256MatchesTheFIPSVectors() {
        #expect(Digest.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.sha256Hex(Data(repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Digest.sha256([UInt8]()).count == 32)
        #expect(Digest.hex([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff")
    }

    @Test func validKeysPass() throws {
        for key in ["a", "dir/sub/file.txt", "été/ファイル 🎫.txt", ".hidden", "a..b", "...", "x/y.", "100% sure?#"] {
            #expect(throws: Never.self) { try ObjectKey.validate(key) }
        }
        #expect(try ObjectKey.validate("a/b/c") == ["a", "b", "c"])
    }

    @Test func invalidKeysAreInvalidInputNamingTheKey() {
        for key in ["", "/abs", "../up", "a/../b", "a/.", "a//b", "a/", "nul\u{0}", "bell\u{7}", "c1\u{9B}", "win\\path",
                    String(repeating: "x", count: 1025), String(repeating: "y", count: 256)] {
            do {
                try ObjectKey.validate(key, adapter: "test")
                Issue.record("\(ObjectKey.quoted(key)) was accepted")
            } catch let e as PlugboardError {
                #expect(e.code == .invalidInput)
                #expect(e.adapter == "test")
                #expect(e.message.contains(String(ObjectKey.quoted(key).prefix(20))))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedAndSlash() {
        #expect(ObjectKey.percentEncoded("a b/é~-_.+?#%&=") == "a%20b/%C3%A9~-_.%2B%3F%23%25%26%3D")
        #expect(ObjectKey.quoted("x\u{0}\n\"") == #""x\u{0}\u{a}\"""#)
    }
}
