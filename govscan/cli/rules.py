"""``govscan rules``: document the rule packs users write suppressions against."""

from __future__ import annotations

import click

from govscan.rules import RuleLoadError, load_rules


@click.group()
def rules() -> None:
    """List and explain detection rules."""


@rules.command("list")
def list_rules() -> None:
    """One line per rule: id, severity, entity, title."""
    try:
        ruleset = load_rules()
    except RuleLoadError as exc:
        raise click.ClickException(str(exc)) from exc
    for rule in ruleset:
        entity = rule.pii.entity if rule.pii else "-"
        click.echo(f"{rule.id:<20} {rule.severity:<9} {entity:<14} {rule.title}")


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
