"""A small stdio MCP server written with the official Python SDK (mcp==2.3.0).

Nothing here knows about HTTP or Portico: it is the kind of server people run locally with
Claude Desktop or Cursor. `portico serve --config portico.yaml` (next to this file) publishes it
as a remote Streamable HTTP server that ChatGPT, Claude, Cursor and VS Code can reach.
"""

from mcp.server.mcpserver import Context, MCPServer

notes: list[str] = []

mcp = MCPServer("notes")


@mcp.tool()
def add_note(text: str) -> str:
    """Remember a note."""
    notes.append(text)
    return f"Saved note #{len(notes)}."


@mcp.tool()
def search_notes(query: str) -> list[str]:
    """Notes that contain the query (case-insensitive)."""
    return [note for note in notes if query.lower() in note.lower()]


@mcp.tool()
async def count_words(text: str, ctx: Context) -> int:
    """Count the words of a text, reporting progress as it goes."""
    words = text.split()
    for done in range(0, len(words), 1000):
        await ctx.report_progress(done, len(words))
    return len(words)


@mcp.resource("notes://all")
def all_notes() -> str:
    """Every note, one per line."""
    return "\n".join(notes)


@mcp.prompt()
def summarize_notes() -> str:
    """Ask the model to summarise the notes."""
    return "Summarise these notes:\n" + "\n".join(notes)


if __name__ == "__main__":
    mcp.run()
