import Foundation
import PlugboardCLI

// A thin entry point: all behaviour lives in PlugboardCLI, where tests reach it.
exit(await PlugboardCLI.run(Array(CommandLine.arguments.dropFirst())))
