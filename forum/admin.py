from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.admin_site import ModeratorAdminSite
from accounts.admin_tools import ModeratorPermissions, ReadOnlyRecords, reason_action
from forum import selectors, services
from forum.models import Answer, Assessment, AuditEvent, FollowUp, Notification, Question, Specialty


def _queue_overview(request: HttpRequest) -> dict[str, Any]:
    return {"title": "Queue overview", "rows": selectors.queue_overview()}


if not isinstance(admin.site, ModeratorAdminSite):  # INSTALLED_APPS names ModeratedAdminConfig
    raise ImproperlyConfigured("The admin site must be accounts.admin_site.ModeratorAdminSite.")
admin.site.register_page(
    route="queue-overview/",
    name="queue-overview",
    template="admin/queue_overview.html",
    context=_queue_overview,
)


@admin.register(Specialty)
class SpecialtyAdmin(ModeratorPermissions, admin.ModelAdmin[Specialty]):
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the slugs are a contract (docs/contracts.md)


def _hide_actions(hide: Any, restore: Any, noun: str) -> list[Any]:
    @admin.action(description=f"Hide selected {noun} (asks for a reason)")
    def hide_selected(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return reason_action(
            title=f"Hide {noun}",
            apply=hide,
            modeladmin=modeladmin,
            request=request,
            queryset=queryset,
        )

    @admin.action(description=f"Restore selected {noun} (asks for a reason)")
    def restore_selected(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return reason_action(
            title=f"Restore {noun}",
            apply=restore,
            modeladmin=modeladmin,
            request=request,
            queryset=queryset,
        )

    return [hide_selected, restore_selected]


class AnswerInline(admin.StackedInline[Answer, Question]):
    model = Answer
    extra = 0
    readonly_fields = ["doctor", "created_at", "is_hidden", "hidden_reason"]


@admin.register(Question)
class QuestionAdmin(ModeratorPermissions, admin.ModelAdmin[Question]):
    list_display = [
        "title",
        "status",
        "urgency",
        "specialty",
        "is_private",
        "is_hidden",
        "author",
        "created_at",
    ]
    list_filter = ["status", "urgency", "specialty", "is_private", "is_hidden", "asking_for"]
    list_display_links = ["title"]
    search_fields = ["title", "body", "author__email", "author__pseudonym", "external_id"]
    readonly_fields = [
        "is_hidden",
        "hidden_reason",
        "created_at",
        "updated_at",
        "queued_at",
        "answered_at",
        "claimed_by",
        "claimed_until",
    ]
    list_select_related = ["specialty", "author"]
    date_hierarchy = "created_at"
    inlines = [AnswerInline]
    actions = _hide_actions(
        lambda m, q, r: services.question_hide(moderator=m, question=q, reason=r),
        lambda m, q, r: services.question_restore(moderator=m, question=q, reason=r),
        "questions",
    )

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # Triage and the similar lists follow a moderator's edit, as they do the asker's.
            services.question_moderator_edited(question_id=obj.pk, changed=form.changed_data)


@admin.register(Answer)
class AnswerAdmin(ModeratorPermissions, admin.ModelAdmin[Answer]):
    list_display = ["question", "doctor", "doctor_name", "specialty", "is_hidden", "created_at"]
    list_filter = ["is_hidden", "specialty"]
    search_fields = ["body", "question__title", "doctor__email", "doctor_name"]
    readonly_fields = ["is_hidden", "hidden_reason"]
    list_select_related = ["question", "doctor", "specialty"]
    raw_id_fields = ["question", "doctor"]
    actions = _hide_actions(
        lambda m, a, r: services.answer_hide(moderator=m, answer=a, reason=r),
        lambda m, a, r: services.answer_restore(moderator=m, answer=a, reason=r),
        "answers",
    )


@admin.register(FollowUp)
class FollowUpAdmin(ModeratorPermissions, admin.ModelAdmin[FollowUp]):
    list_display = ["question", "author", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    search_fields = ["body", "question__title", "author__email"]
    readonly_fields = ["is_hidden", "hidden_reason"]
    list_select_related = ["question", "author"]
    raw_id_fields = ["question", "author"]
    actions = _hide_actions(
        lambda m, f, r: services.followup_hide(moderator=m, followup=f, reason=r),
        lambda m, f, r: services.followup_restore(moderator=m, followup=f, reason=r),
        "follow-ups",
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyRecords, admin.ModelAdmin[AuditEvent]):
    list_display = ["created_at", "action", "target_type", "target_id", "actor", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["reason", "actor__email"]
    list_select_related = ["actor"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyRecords, admin.ModelAdmin[Assessment]):
    """Read-only history: engine runs, re-triages and doctors' corrections."""

    list_display = [
        "question",
        "urgency",
        "specialty",
        "source",
        "created_by",
        "kb_version",
        "created_at",
    ]
    list_filter = ["urgency", "source", "kb_version", "specialty"]
    search_fields = ["question__title", "reason", "created_by__email"]
    list_select_related = ["question", "created_by"]
    readonly_fields = [f.name for f in Assessment._meta.fields]


@admin.register(Notification)
class NotificationAdmin(ModeratorPermissions, admin.ModelAdmin[Notification]):
    list_display = ["user", "kind", "question", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "message"]
    list_select_related = ["user", "question"]
    raw_id_fields = ["user", "question"]
