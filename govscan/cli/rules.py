"""``govscan rules``: document the rule packs users write suppressions against."""

from __future__ import annotations

import click

from govscan.cli.options import LISTING_FORMATS, results_options
from govscan.cli.results import aligned, destination, document, write_json
from govscan.report.csv_ import SafeCsvWriter
from govscan.rules import RuleLoadError, load_rules


@click.group()
def rules() -> None:
    """List and explain detection rules."""


@rules.command("list")
@results_options(LISTING_FORMATS)
def list_rules(fmt: str, output: str | None) -> None:
    """One line per rule: id, severity, entity, title (json and csv add kind, compliance and source)."""
    try:
        ruleset = load_rules()
    except RuleLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    described = [
        {
            "id": rule.id,
            "kind": rule.kind,
            "severity": str(rule.severity),
            "entity": rule.pii.entity if rule.pii else None,
            "title": rule.title,
            "compliance": list(rule.compliance),
            "source": str(ruleset.sources[rule.id]),
        }
        for rule in ruleset
    ]
    with destination(output) as out:
        if fmt == "json":
            write_json(document("rules", rules=described), out)
        elif fmt == "csv":
            writer = SafeCsvWriter(out)
            writer.writerow(["id", "kind", "severity", "entity", "title", "compliance", "source"])
            writer.writerows(
                [*(r[k] for k in ("id", "kind", "severity", "entity", "title")), ";".join(r["compliance"]), r["source"]]
                for r in described
            )
        else:
            rows = [[r["id"], r["severity"], r["entity"] or "-", r["title"]] for r in described]
            out.writelines(line + "\n" for line in aligned(rows, out))


@rules.command("show")
@click.argument("rule_id")
def show_rule(rule_id: str) -> None:
    """Everything a rule says: description, risk, remediation, references, compliance links."""
    try:
        ruleset = load_rules()
    except RuleLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    rule = ruleset.get(rule_id)
    if rule is None:
        raise click.ClickException(f"no rule {rule_id!r}; see 'govscan rules list'")
    click.echo(f"{rule.id}: {rule.title}")
    click.echo(f"severity: {rule.severity}    kind: {rule.kind}    source: {ruleset.sources[rule.id]}")
    if rule.pii:
        click.echo(f"entity: {rule.pii.entity}    recognizer: {rule.pii.recognizer}")
        hints = ", ".join(rule.pii.header_hints.all())
        click.echo(f"header hints: {hints}")
    for heading, text in (("Description", rule.description), ("Risk", rule.risk), ("Remediation", rule.remediation)):
        if text:
            click.echo(f"\n{heading}:\n  {text}")
    if rule.references:
        click.echo("\nReferences:")
        for ref in rule.references:
            click.echo(f"  - {ref}")
    if rule.compliance:
        click.echo("\nCompliance: " + ", ".join(rule.compliance))
