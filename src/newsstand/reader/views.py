from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from newsstand.articles.models import Article


def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.select_related("publisher").order_by("-fetched_at")[:50]
    return render(request, "reader/home.html", {"articles": articles})


def article(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    return render(request, "reader/article.html", {"article": obj})
