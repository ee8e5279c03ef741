extension ArgvTemplate {
    /// A malformed argv element in the YAML. It names the element so the configuration error
    /// points at the exact string to fix.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable {
            /// `{{` with no `}}` after it.
            case unclosedPlaceholder
            /// `{{}}` or `{{  }}`.
            case emptyName
            /// A name outside the allowed alphabet (see ``ArgvTemplate``).
            case invalidName(String)
        }

        public var reason: Reason
        /// Zero-based position of the element in the argv list.
        public var elementIndex: Int
        /// The element as written.
        public var element: String

        public init(reason: Reason, elementIndex: Int, element: String) {
            self.reason = reason
            self.elementIndex = elementIndex
            self.element = element
        }

        public var description: String {
            let what: String
            switch reason {
            case .unclosedPlaceholder: what = "'{{' without a closing '}}'"
            case .emptyName: what = "empty placeholder name"
            case .invalidName(let name): what = "invalid placeholder name '\(name)'"
            }
            return "argv[\(elementIndex)] \"\(element)\": \(what) (write '{{{{' for a literal '{{')"
        }
    }

    /// An argument missing from an element that mixes text and a placeholder, so the element can
    /// be neither built nor dropped.
    public struct ExpansionError: Error, Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var elementIndex: Int
        public var element: String

        public init(name: String, elementIndex: Int, element: String) {
            self.name = name
            self.elementIndex = elementIndex
            self.element = element
        }

        public var description: String {
            "missing argument '\(name)' needed by argv[\(elementIndex)] \"\(element)\""
        }
    }
}
