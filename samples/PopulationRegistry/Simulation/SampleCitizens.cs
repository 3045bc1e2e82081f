using System.Globalization;
using PopulationRegistry.Register;
using QazBus.Contracts.Population;

namespace PopulationRegistry.Simulation;

/// <summary>
/// Made-up but realistic citizens and addresses. Derived from the index alone, without randomness, so every run
/// tells the same story and a log line can be reproduced.
/// </summary>
internal static class SampleCitizens
{
    private static readonly string[] MaleNames = ["Nurlan", "Askar", "Daulet", "Yerlan", "Arman", "Bauyrzhan", "Timur", "Yerzhan"];
    private static readonly string[] FemaleNames = ["Aigerim", "Dana", "Zhanar", "Madina", "Aruzhan", "Saule", "Dinara", "Gulnara"];

    // Male forms; the female form ends in -a (Akhmetov, Akhmetova).
    private static readonly string[] Surnames = ["Akhmetov", "Ospanov", "Zhunusov", "Kassymov", "Abenov", "Temirbekov", "Sadykov", "Iskakov"];

    // Region is an oblys or a city of republican significance (Astana, Almaty, Shymkent), as the registry writes it.
    private static readonly Locality[] Localities =
    [
        new("Astana", "Astana", "010000", ["Kabanbay Batyr Ave", "Turan Ave", "Mangilik El Ave", "Kenesary St"]),
        new("Almaty", "Almaty", "050000", ["Abay Ave", "Dostyk Ave", "Tole Bi St", "Satpayev St"]),
        new("Shymkent", "Shymkent", "160000", ["Tauke Khan Ave", "Baidibek Bi Ave", "Kunayev Blvd"]),
        new("Karaganda oblys", "Karaganda", "100000", ["Bukhar Zhyrau Ave", "Nurken Abdirov Ave", "Yerubayev St"]),
        new("Karaganda oblys", "Temirtau", "101400", ["Respubliki Ave", "Metallurgov Ave"]),
        new("Aktobe oblys", "Aktobe", "030000", ["Abilkayir Khan Ave", "Sankibay Batyr Ave"]),
        new("Mangystau oblys", "Aktau", "130000", ["14th microdistrict", "5th microdistrict"]),
    ];

    /// <summary>The citizen number <paramref name="index"/> of the story.</summary>
    public static Citizen Citizen(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var female = index % 2 == 1;
        var givenName = Pick(female ? FemaleNames : MaleNames, index / 2);
        var surname = Pick(Surnames, index * 3) + (female ? "a" : string.Empty);

        // The modern Kazakh patronymic: the father's name and -uly (son of) or -kyzy (daughter of).
        var patronymic = Pick(MaleNames, index * 5 + 3) + (female ? "kyzy" : "uly");
        var birthDate = new DateOnly(1958 + (index * 7 % 60), 1 + (index * 5 % 12), 1 + (index * 11 % 28));
        return new Citizen(
            Iin.Create(birthDate, female, serial: 1000 + index * 37),
            surname,
            givenName,
            patronymic,
            birthDate,
            AddressIn(Pick(Localities, index), index));
    }

    /// <summary>A new address in a different locality than <paramref name="current"/>: the citizen moved.</summary>
    public static Address MovedAddress(Address current, int move)
    {
        ArgumentNullException.ThrowIfNull(current);
        for (var offset = 0; ; offset++)
        {
            var locality = Pick(Localities, move * 3 + offset + 1);
            if (locality.Name != current.Locality)
            {
                return AddressIn(locality, move + 11);
            }
        }
    }

    private static Address AddressIn(Locality locality, int seed) => new()
    {
        Region = locality.Region,
        Locality = locality.Name,
        Street = string.Create(CultureInfo.InvariantCulture, $"{Pick(locality.Streets, seed)} {3 + (seed * 7 % 90)}, apt {1 + (seed * 13 % 120)}"),
        PostalCode = locality.PostalCode,
    };

    private static T Pick<T>(T[] items, int seed) => items[seed % items.Length];

    private sealed record Locality(string Region, string Name, string PostalCode, string[] Streets);
}
