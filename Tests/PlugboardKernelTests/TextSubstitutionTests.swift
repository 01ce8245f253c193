import PlugboardKernel
import Testing

@Suite("text substitution")
struct TextSubstitutionTests {
    @Test func replacesEveryOccurrenceInOnePass() {
        #expect(TextSubstitution.replacing([("{name}", "Zoé"), ("{n}", "42")], in: "Bonjour {name}, commande {n} ({n})") ==
                "Bonjour Zoé, commande 42 (42)")
        // A replacement is not scanned again: a value holding a key stays as written.
        #expect(TextSubstitution.replacing([("{a}", "{b}"), ("{b}", "x")], in: "{a}{b}") == "{b}x")
        #expect(TextSubstitution.replacing([("", "x")], in: "abc") == "abc")
        #expect(TextSubstitution.replacing([("é", "e")], in: "café crème") == "cafe crème")
        #expect(TextSubstitution.replacing([("ab", "X")], in: "aab") == "aX")
    }

    @Test func fillsPlaceholdersAndKeepsAnUnclosedOne() {
        #expect(TextSubstitution.fillingPlaceholders("Hi {{ name }}, {{missing}}!", ["name": "Ana"]) == "Hi Ana, !")
        #expect(TextSubstitution.fillingPlaceholders("{{a}}{{b}} {{ c", ["a": "1", "b": "2"]) == "12 {{ c")
        #expect(TextSubstitution.fillingPlaceholders("prix {{x}} €", ["x": "10"]) == "prix 10 €")
    }

    @Test func trimsUnicodeWhitespaceAtBothEnds() {
        #expect(" \t a b \n".trimmedWhitespace == "a b")
        #expect("\u{00A0}é\u{2003}".trimmedWhitespace == "é")
        #expect(" \n\t ".trimmedWhitespace == "")
        #expect("abc".trimmedWhitespace == "abc")
        #expect("".trimmedWhitespace == "")
    }
}
